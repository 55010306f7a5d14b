import { CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN } from '../patterns.js';

/** The pattern and special tokens of one of OpenAI's encodings (the ranks come from its `.tiktoken` file). */
export interface EncodingSpec {
  /** Pre-tokenisation pattern, tiktoken syntax. */
  pattern: string;
  /** Special token text → id. */
  specialTokens: Readonly<Record<string, number>>;
}

const ENDOFTEXT = '<|endoftext|>';

/**
 * OpenAI's encodings, to pass with their rank files:
 * `BPETokenizer.fromTiktoken(readFileSync('cl100k_base.tiktoken', 'utf8'), ENCODINGS.cl100k_base)`.
 * `gpt2` and `r50k_base` share ranks (r50k_base.tiktoken).
 */
export const ENCODINGS = {
  gpt2: { pattern: GPT2_PATTERN, specialTokens: { [ENDOFTEXT]: 50256 } },
  r50k_base: { pattern: GPT2_PATTERN, specialTokens: { [ENDOFTEXT]: 50256 } },
  p50k_base: { pattern: GPT2_PATTERN, specialTokens: { [ENDOFTEXT]: 50256 } },
  cl100k_base: {
    pattern: CL100K_PATTERN,
    specialTokens: {
      [ENDOFTEXT]: 100257,
      '<|fim_prefix|>': 100258,
      '<|fim_middle|>': 100259,
      '<|fim_suffix|>': 100260,
      '<|endofprompt|>': 100276,
    },
  },
  o200k_base: { pattern: O200K_PATTERN, specialTokens: { [ENDOFTEXT]: 199999, '<|endofprompt|>': 200018 } },
} as const satisfies Record<string, EncodingSpec>;
