import { BPETokenizer, CharTokenizer, type CharTokenizerJSON, type Tokenizer } from '@proj/tokenizers';
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

/** A JSON form of a tokenizer for `state.json`. */
export function serializeTokenizer(tokenizer: Tokenizer): unknown {
  if (tokenizer instanceof CharTokenizer) return tokenizer.toJSON();
  if (tokenizer instanceof BPETokenizer) return { type: 'bpe', huggingFace: tokenizer.toHuggingFace() };
  throw new CliError(`cannot save a ${tokenizer.constructor.name} in a checkpoint`);
}

/**
 * Restores a tokenizer saved by {@link serializeTokenizer}; `file` is the state file to name in errors.
 * @throws CliError for an unknown or broken form.
 */
export function deserializeTokenizer(json: unknown, file = 'state.json'): Tokenizer {
  const type = (json as { type?: unknown } | null)?.type;
  try {
    if (type === 'char') return CharTokenizer.fromJSON(json as CharTokenizerJSON);
    if (type === 'bpe') return BPETokenizer.fromHuggingFace((json as { huggingFace: never }).huggingFace);
  } catch (error) {
    throw new CliError(`${file}: the tokenizer cannot be restored (${(error as Error).message})`);
  }
  throw new CliError(`${file}: unknown tokenizer type ${JSON.stringify(type)}`);
}

/** A short label for names and metrics: `char` or `bpe4096`. */
export function tokenizerLabel(choice: TokenizerChoice): string {
  return choice.kind === 'char' ? 'char' : `bpe${choice.vocabSize}`;
}
