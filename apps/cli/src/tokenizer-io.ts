import { BPETokenizer, CharTokenizer, deserializeTokenizer, type Tokenizer } from '@proj/tokenizers';
import { UsageError } from './args.js';
import { CliError } from './io.js';

/** What `--tokenizer` asks for. */
export type TokenizerChoice = { kind: 'char' } | { kind: 'bpe'; vocabSize: number };

/** Parses `char` or `bpe:<vocabSize>`. @throws UsageError otherwise. */
export function parseTokenizerChoice(value: string): TokenizerChoice {
  if (value === 'char') return { kind: 'char' };
  const m = /^bpe:(\d+)$/.exec(value);
  if (m && Number(m[1]) >= 256 && Number(m[1]) <= 65536) return { kind: 'bpe', vocabSize: Number(m[1]) };
  throw new UsageError(
    `--tokenizer must be char or bpe:<vocabSize> with 256 <= vocabSize <= 65536, got '${value}'`,
  );
}

/** Builds the tokenizer from the corpus: its characters, or a byte-level BPE trained on it. */
export function buildTokenizer(choice: TokenizerChoice, text: string): Tokenizer {
  return choice.kind === 'char'
    ? CharTokenizer.fromCorpus(text)
    : BPETokenizer.train(text, { vocabSize: choice.vocabSize });
}

/**
 * Restores the tokenizer of a checkpoint's `state.json` (`serializeTokenizer`'s JSON); `file` is the
 * state file to name in errors.
 * @throws CliError for an unknown or broken form.
 */
export function tokenizerOfState(json: unknown, file = 'state.json'): Tokenizer {
  try {
    return deserializeTokenizer(json);
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`);
  }
}

/** A short label for names and metrics: `char` or `bpe4096`. */
export function tokenizerLabel(choice: TokenizerChoice): string {
  return choice.kind === 'char' ? 'char' : `bpe${choice.vocabSize}`;
}
