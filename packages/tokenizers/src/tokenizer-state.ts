import { BPETokenizer } from './bpe/bpe-tokenizer.js';
import type { HuggingFaceTokenizerJSON } from './bpe/hugging-face.js';
import { CharTokenizer, type CharTokenizerJSON } from './char-tokenizer.js';
import { TokenizerError } from './errors.js';
import type { Tokenizer } from './tokenizer.js';
import { WordTokenizer, type WordTokenizerJSON } from './word-tokenizer.js';

/**
 * A tokenizer as plain JSON, tagged by `type`: a char or word tokenizer's `toJSON()`, or a byte-level
 * BPE as its Hugging Face `tokenizer.json` under `huggingFace`. Checkpoints keep it in `state.json`.
 */
export type TokenizerState =
  | CharTokenizerJSON
  | WordTokenizerJSON
  | { type: 'bpe'; huggingFace: HuggingFaceTokenizerJSON };

/**
 * The JSON form of a `CharTokenizer`, `WordTokenizer` or `BPETokenizer` that {@link deserializeTokenizer}
 * restores with the same ids.
 * @example JSON.stringify(serializeTokenizer(CharTokenizer.fromCorpus('abc'))) // {"type":"char","alphabet":["a","b","c"],"specialTokens":[]}
 * @throws TokenizerError for another kind of tokenizer.
 */
export function serializeTokenizer(tokenizer: Tokenizer): TokenizerState {
  if (tokenizer instanceof CharTokenizer || tokenizer instanceof WordTokenizer) return tokenizer.toJSON();
  if (tokenizer instanceof BPETokenizer) return { type: 'bpe', huggingFace: tokenizer.toHuggingFace() };
  throw new TokenizerError(`serializeTokenizer: cannot serialize a ${tokenizer.constructor.name}`);
}

/**
 * Restores a tokenizer from {@link serializeTokenizer}'s JSON (parsed, or as text).
 * @throws TokenizerError naming the unknown `type`, or why the tokenizer cannot be rebuilt.
 */
export function deserializeTokenizer(json: unknown): Tokenizer {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new TokenizerError(`deserializeTokenizer: not valid JSON (${(error as Error).message})`);
    }
  }
  const type = (value as { type?: unknown } | null)?.type;
  try {
    if (type === 'char') return CharTokenizer.fromJSON(value as CharTokenizerJSON);
    if (type === 'word') return WordTokenizer.fromJSON(value as WordTokenizerJSON);
    if (type === 'bpe') {
      const huggingFace = (value as { huggingFace?: unknown }).huggingFace;
      if (typeof huggingFace !== 'object' || huggingFace === null)
        throw new TokenizerError('"huggingFace" must hold a tokenizer.json object');
      return BPETokenizer.fromHuggingFace(huggingFace as HuggingFaceTokenizerJSON);
    }
  } catch (error) {
    throw new TokenizerError(
      `deserializeTokenizer: the ${type} tokenizer cannot be restored (${(error as Error).message})`,
    );
  }
  throw new TokenizerError(
    `deserializeTokenizer: unknown tokenizer type ${JSON.stringify(type)} (expected "char", "word" or "bpe")`,
  );
}
