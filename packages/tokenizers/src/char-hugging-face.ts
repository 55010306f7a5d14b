import type { CharTokenizerJSON } from './char-tokenizer.js';
import { TokenizerError } from './errors.js';
import { specialAddedToken } from './tokenizer-json.js';

/** A Hugging Face `tokenizer.json` with a `WordLevel` model, as a per-character tokenizer writes it. */
export interface HuggingFaceWordLevelJSON {
  version?: string;
  added_tokens?: { id: number; content: string; special?: boolean; [key: string]: unknown }[];
  normalizer?: unknown;
  pre_tokenizer?: unknown;
  post_processor?: unknown;
  decoder?: unknown;
  model: { type: string; vocab: Record<string, number>; unk_token?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * The pre-tokenizer that makes every character its own piece: a `Split` on a regex matching any one
 * character (newlines included, in Oniguruma as in Rust's regex), each match kept as a piece.
 */
const PER_CHARACTER = { type: 'Split', pattern: { Regex: '[\\s\\S]' }, behavior: 'Isolated', invert: false };
/** Regexes that match exactly one character, whatever it is. */
const ANY_CHARACTER = new Set(['[\\s\\S]', '[\\S\\s]', '(?s:.)', '(?s).', '[\\d\\D]', '[\\w\\W]']);

function fail(what: string): never {
  throw new TokenizerError(`CharTokenizer.fromHuggingFace: ${what}`);
}

/**
 * Writes a char tokenizer's `tokenizer.json`: a `WordLevel` model over the characters (then `unk`,
 * then the special tokens, as added tokens), a per-character `Split` pre-tokenizer, and the `Fuse`
 * decoder, which joins tokens without the spaces Hugging Face puts between tokens by default.
 * Without `unk` an unknown character is an error in both libraries: `unk_token` then names a token
 * that is not in the vocabulary.
 */
export function charToHuggingFace(json: CharTokenizerJSON): HuggingFaceWordLevelJSON {
  const pieces = [...json.alphabet, ...(json.unk === undefined ? [] : [json.unk]), ...json.specialTokens];
  for (const piece of json.alphabet) {
    const cp = piece.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff)
      throw new TokenizerError(
        `CharTokenizer.toHuggingFace: the lone surrogate U+${cp.toString(16).toUpperCase()} cannot be written to tokenizer.json (JSON for UTF-8 readers)`,
      );
  }
  const vocab = Object.fromEntries(pieces.map((piece, id) => [piece, id])) as Record<string, number>;
  let unk = json.unk ?? '<unk>';
  while (json.unk === undefined && Object.hasOwn(vocab, unk)) unk = `<${unk}>`;
  const firstSpecial = pieces.length - json.specialTokens.length;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: json.specialTokens.map((content, i) => specialAddedToken(content, firstSpecial + i)),
    normalizer: null,
    pre_tokenizer: PER_CHARACTER,
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: { type: 'WordLevel', vocab, unk_token: unk },
  };
}

/**
 * Reads a per-character `WordLevel` `tokenizer.json` back into a char tokenizer's JSON form: ids
 * must run characters first, then the `unk_token` if the vocabulary has it, then the added tokens,
 * as {@link charToHuggingFace} writes them.
 * @throws TokenizerError naming the field or entry that a char tokenizer cannot represent.
 */
export function charFromHuggingFace(json: HuggingFaceWordLevelJSON): CharTokenizerJSON {
  const { model } = json;
  if (model?.type !== 'WordLevel') fail(`model.type is ${JSON.stringify(model?.type)}, not "WordLevel"`);
  if (typeof model.vocab !== 'object' || model.vocab === null || Array.isArray(model.vocab))
    fail('model.vocab must be an object of token → id');
  if (json.normalizer) fail('a normalizer is not supported');
  if (json.post_processor) fail('a post_processor is not supported (it would add tokens on encode)');
  const pre = json.pre_tokenizer as {
    type?: string;
    pattern?: { Regex?: unknown };
    behavior?: string;
    invert?: boolean;
  };
  const keepsMatches = pre?.behavior === 'Isolated' ? !pre.invert : pre?.behavior === 'Removed' && pre.invert;
  if (pre?.type !== 'Split' || !ANY_CHARACTER.has(pre.pattern?.Regex as string) || !keepsMatches)
    fail(`pre_tokenizer ${JSON.stringify(pre)?.slice(0, 120)} does not split per character`);
  if ((json.decoder as { type?: string } | null)?.type !== 'Fuse')
    fail(
      `decoder ${JSON.stringify(json.decoder)?.slice(0, 80)} is not Fuse (tokens would be joined with spaces)`,
    );

  const added = new Map<string, number>();
  for (const [i, t] of (json.added_tokens ?? []).entries()) {
    if (typeof t?.content !== 'string' || !Number.isInteger(t.id))
      fail(`added_tokens[${i}] needs content and id`);
    added.set(t.content, t.id);
  }
  const byId: string[] = [];
  const size = new Set([...Object.keys(model.vocab), ...added.keys()]).size;
  const place = (token: string, id: unknown) => {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= size)
      fail(
        `id of ${JSON.stringify(token)} is ${JSON.stringify(id)}, not in [0, ${size}) (ids must be 0, 1, 2, …)`,
      );
    const other = byId[id as number];
    if (other !== undefined && other !== token)
      fail(`id ${id} is both ${JSON.stringify(other)} and ${JSON.stringify(token)}`);
    byId[id as number] = token;
  };
  for (const [token, id] of Object.entries(model.vocab)) place(token, id);
  for (const [token, id] of added) place(token, id);
  for (let id = 0; id < size; id++) if (byId[id] === undefined) fail(`no token has id ${id}`);

  const unk =
    model.unk_token !== undefined && Object.hasOwn(model.vocab, model.unk_token)
      ? model.unk_token
      : undefined;
  const alphabet: string[] = [];
  let id = 0;
  for (; id < byId.length; id++) {
    const token = byId[id]!;
    if (token === unk || added.has(token)) break;
    if ([...token].length !== 1) fail(`vocab entry ${JSON.stringify(token)} (${id}) is not one character`);
    alphabet.push(token);
  }
  if (unk !== undefined && byId[id++] !== unk)
    fail(`unk_token ${JSON.stringify(unk)} must follow the characters (id ${alphabet.length})`);
  const specialTokens = byId.slice(id);
  const stray = specialTokens.find((token) => !added.has(token));
  if (stray !== undefined)
    fail(
      `${JSON.stringify(stray)} (${model.vocab[stray]}) comes after the special tokens but is not an added token`,
    );
  const out: CharTokenizerJSON = { type: 'char', alphabet, specialTokens };
  if (unk !== undefined) out.unk = unk;
  return out;
}
