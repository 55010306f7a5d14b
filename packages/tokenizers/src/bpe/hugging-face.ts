import { TokenizerError } from '../errors.js';
import { GPT2_PATTERN } from '../patterns.js';
import { specialAddedToken } from '../tokenizer-json.js';
import type { BPETokenizerOptions } from './bpe-tokenizer.js';
import { byteLevelToBytes, bytesToByteLevel } from './byte-level.js';

/** The parts of a Hugging Face `tokenizer.json` that a byte-level BPE model uses. */
export interface HuggingFaceTokenizerJSON {
  version?: string;
  added_tokens?: { id: number; content: string; special?: boolean; [key: string]: unknown }[];
  normalizer?: unknown;
  pre_tokenizer?: HuggingFacePreTokenizer | null;
  decoder?: unknown;
  model: {
    type: string;
    vocab: Record<string, number>;
    merges: (string | [string, string])[];
    ignore_merges?: boolean;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A `pre_tokenizer` entry of `tokenizer.json`. */
export interface HuggingFacePreTokenizer {
  type: string;
  pretokenizers?: HuggingFacePreTokenizer[];
  pattern?: { Regex?: string; String?: string };
  use_regex?: boolean;
  add_prefix_space?: boolean;
  [key: string]: unknown;
}

function unsupported(what: string): never {
  throw new TokenizerError(`fromHuggingFace: ${what} is not supported (byte-level BPE, GPT-2 style, only)`);
}

/** The pre-tokenisation pattern a `pre_tokenizer` describes. */
function patternOf(pre: HuggingFacePreTokenizer | null | undefined): string {
  if (!pre) unsupported('a missing pre_tokenizer');
  if (pre.type === 'ByteLevel') {
    if (pre.add_prefix_space) unsupported('ByteLevel add_prefix_space: true');
    if (pre.use_regex === false) unsupported('ByteLevel without a Split before it');
    return GPT2_PATTERN;
  }
  if (pre.type === 'Sequence' && pre.pretokenizers?.length === 2) {
    const [split, byteLevel] = pre.pretokenizers;
    const regex = split?.pattern?.Regex;
    // Keeping the matches: `Isolated` keeps the text between them too, `Removed` + `invert` drops
    // it. The two agree for patterns that match all text, as tokenizer patterns do; we keep it.
    const keepsMatches =
      split?.behavior === 'Isolated' ? !split.invert : split?.behavior === 'Removed' && split.invert;
    if (split?.type === 'Split' && regex !== undefined && keepsMatches) {
      if (byteLevel?.type !== 'ByteLevel' || byteLevel.use_regex !== false || byteLevel.add_prefix_space) {
        unsupported('a Split not followed by ByteLevel(use_regex: false, add_prefix_space: false)');
      }
      return regex;
    }
  }
  return unsupported(`pre_tokenizer ${JSON.stringify(pre).slice(0, 120)}`);
}

/** Reads a byte-level BPE `tokenizer.json` into `BPETokenizer` options. */
export function parseHuggingFace(json: HuggingFaceTokenizerJSON): BPETokenizerOptions {
  const { model } = json;
  if (model?.type !== 'BPE') unsupported(`model type ${JSON.stringify(model?.type)}`);
  if (json.normalizer) unsupported('a normalizer');
  for (const key of ['continuing_subword_prefix', 'end_of_word_suffix']) {
    if (model[key]) unsupported(`model.${key}`);
  }
  if (model.byte_fallback) unsupported('model.byte_fallback');
  const specialTokens: Record<string, number> = {};
  for (const t of json.added_tokens ?? []) specialTokens[t.content] = t.id;
  const tokens: Uint8Array[] = [];
  for (const [text, id] of Object.entries(model.vocab)) {
    if (specialTokens[text] === id) continue;
    const bytes = byteLevelToBytes(text);
    if (bytes === undefined) {
      throw new TokenizerError(
        `fromHuggingFace: vocab entry ${JSON.stringify(text)} (${id}) is not a byte-level token`,
      );
    }
    tokens[id] = bytes;
  }
  const idOf = (text: string, i: number): number => {
    const id = model.vocab[text];
    if (id === undefined)
      throw new TokenizerError(`fromHuggingFace: merge ${i} names ${JSON.stringify(text)}, not in vocab`);
    return id;
  };
  const merges = model.merges.map((m, i): [number, number] => {
    const [a, b] = typeof m === 'string' ? m.split(' ') : m;
    if (a === undefined || b === undefined)
      throw new TokenizerError(`fromHuggingFace: merge ${i} is malformed`);
    return [idOf(a, i), idOf(b, i)];
  });
  return {
    tokens,
    merges,
    ignoreMerges: model.ignore_merges ?? false,
    pattern: patternOf(json.pre_tokenizer),
    specialTokens,
  };
}

/** What `toHuggingFaceJSON` writes. */
export interface HuggingFaceExport {
  tokens: readonly (Uint8Array | undefined)[];
  merges: readonly (readonly [number, number])[];
  specialTokens: ReadonlyMap<string, number>;
  pattern: string;
  ignoreMerges: boolean;
}

/** Writes a byte-level BPE `tokenizer.json` object. */
export function toHuggingFaceJSON(spec: HuggingFaceExport): HuggingFaceTokenizerJSON {
  const { tokens } = spec;
  const vocab: Record<string, number> = {};
  const names: string[] = [];
  tokens.forEach((bytes, id) => {
    if (bytes === undefined) return;
    names[id] = bytesToByteLevel(bytes);
    vocab[names[id]!] = id;
  });
  const merges = spec.merges.map(([a, b]) => `${names[a]} ${names[b]}`);
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const preTokenizer: HuggingFacePreTokenizer =
    spec.pattern === GPT2_PATTERN
      ? byteLevel
      : {
          type: 'Sequence',
          pretokenizers: [
            { type: 'Split', pattern: { Regex: spec.pattern }, behavior: 'Isolated', invert: false },
            { ...byteLevel, use_regex: false },
          ],
        };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...spec.specialTokens]
      .sort((x, y) => x[1] - y[1])
      .map(([content, id]) => specialAddedToken(content, id)),
    normalizer: null,
    pre_tokenizer: preTokenizer,
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: spec.ignoreMerges,
      vocab,
      merges,
    },
  };
}
