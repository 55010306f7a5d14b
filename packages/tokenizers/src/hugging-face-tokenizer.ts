import { BPETokenizer } from './bpe/bpe-tokenizer.js';
import type { HuggingFaceTokenizerJSON } from './bpe/hugging-face.js';
import type { HuggingFaceWordLevelJSON } from './char-hugging-face.js';
import { CharTokenizer } from './char-tokenizer.js';
import { TokenizerError } from './errors.js';
import type { Tokenizer } from './tokenizer.js';
import { parseTokenizerJSON } from './tokenizer-json.js';

/**
 * Reads a Hugging Face `tokenizer.json` as the tokenizer its model describes: `WordLevel` split per
 * character → {@link CharTokenizer}, byte-level `BPE` → {@link BPETokenizer}.
 * @example const tok = tokenizerFromHuggingFace(readFileSync('gpt2/tokenizer.json', 'utf8'));
 * @throws TokenizerError for another model type, or what the chosen tokenizer cannot represent.
 */
export function tokenizerFromHuggingFace(
  json: string | HuggingFaceTokenizerJSON | HuggingFaceWordLevelJSON,
): CharTokenizer | BPETokenizer {
  const parsed = parseTokenizerJSON<HuggingFaceTokenizerJSON | HuggingFaceWordLevelJSON>(json);
  const type = (parsed.model as { type?: unknown } | undefined)?.type;
  if (type === 'WordLevel') return CharTokenizer.fromHuggingFace(parsed as HuggingFaceWordLevelJSON);
  if (type === 'BPE') return BPETokenizer.fromHuggingFace(parsed as HuggingFaceTokenizerJSON);
  throw new TokenizerError(
    `tokenizerFromHuggingFace: model.type ${JSON.stringify(type)} is not supported (WordLevel per character, or byte-level BPE)`,
  );
}

/**
 * The Hugging Face `tokenizer.json` of a char or byte-level BPE tokenizer (their `toHuggingFace()`).
 * @throws TokenizerError for another kind of tokenizer.
 */
export function tokenizerToHuggingFace(
  tokenizer: Tokenizer,
): HuggingFaceTokenizerJSON | HuggingFaceWordLevelJSON {
  if (tokenizer instanceof CharTokenizer || tokenizer instanceof BPETokenizer)
    return tokenizer.toHuggingFace();
  throw new TokenizerError(
    `tokenizerToHuggingFace: a ${tokenizer.constructor.name} has no tokenizer.json form (char and BPE tokenizers do)`,
  );
}
