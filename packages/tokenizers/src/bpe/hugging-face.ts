import { TokenizerError } from '../errors.js';
import { compilePattern, GPT2_PATTERN } from '../patterns.js';
import { specialAddedToken } from '../tokenizer-json.js';
import type { BPETokenizerOptions } from './bpe-tokenizer.js';
import { byteLevelToBytes, bytesToByteLevel } from './byte-level.js';
import { denseIdsRule, isDenseEnough } from './dense-ids.js';

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
  if (!isObject(pre))
    unsupported(pre === undefined || pre === null ? 'a missing pre_tokenizer' : describe(pre));
  if (pre.type === 'ByteLevel') {
    if (pre.add_prefix_space) unsupported('ByteLevel add_prefix_space: true');
    if (pre.use_regex === false) unsupported('ByteLevel without a Split before it');
    return GPT2_PATTERN;
  }
  if (pre.type === 'Sequence' && Array.isArray(pre.pretokenizers) && pre.pretokenizers.length === 2) {
    const [split, byteLevel] = pre.pretokenizers;
    const regex = split?.pattern?.Regex;
    // Keeping the matches: `Isolated` keeps the text between them too, `Removed` + `invert` drops
    // it. The two agree for patterns that match all text, as tokenizer patterns do; we keep it.
    const keepsMatches =
      split?.behavior === 'Isolated' ? !split.invert : split?.behavior === 'Removed' && split.invert;
    if (split?.type === 'Split' && typeof regex === 'string' && keepsMatches) {
      if (byteLevel?.type !== 'ByteLevel' || byteLevel.use_regex !== false || byteLevel.add_prefix_space) {
        unsupported('a Split not followed by ByteLevel(use_regex: false, add_prefix_space: false)');
      }
      try {
        compilePattern(regex);
      } catch (error) {
        throw new TokenizerError(
          `fromHuggingFace: pre_tokenizer Split regex ${JSON.stringify(regex)} is not a valid pattern (${(error as Error).message})`,
        );
      }
      return regex;
    }
  }
  return unsupported(describe(pre));
}

function describe(pre: unknown): string {
  return `pre_tokenizer ${JSON.stringify(pre).slice(0, 120)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function fail(what: string): never {
  throw new TokenizerError(`fromHuggingFace: ${what}`);
}

/** Special token text → id from `added_tokens` (a null-prototype record, so any text is a key). */
function addedTokens(added: unknown): Record<string, number> {
  const specialTokens: Record<string, number> = Object.create(null);
  if (added === undefined || added === null) return specialTokens;
  if (!Array.isArray(added)) fail(`added_tokens must be an array, got ${JSON.stringify(added)}`);
  added.forEach((t: unknown, i) => {
    if (!isObject(t) || typeof t.content !== 'string' || !isId(t.id)) {
      fail(`added_tokens[${i}] must have a string content and an integer id >= 0, got ${JSON.stringify(t)}`);
    }
    specialTokens[t.content] = t.id;
  });
  return specialTokens;
}

/** Token text → id from `model.vocab`, checked: integer ids (not strings), unique, and dense for `count` tokens. */
function vocabulary(vocab: unknown, count: (entries: number) => number): Map<string, number> {
  if (!isObject(vocab)) fail(`model.vocab must be an object of token → id, got ${JSON.stringify(vocab)}`);
  const ids = new Map<string, number>();
  let max: [string, number] | undefined;
  for (const [text, id] of Object.entries(vocab)) {
    if (!isId(id))
      fail(`model.vocab[${JSON.stringify(text)}] must be an integer id >= 0, got ${JSON.stringify(id)}`);
    ids.set(text, id);
    if (max === undefined || id > max[1]) max = [text, id];
  }
  const total = count(ids.size);
  if (max !== undefined && !isDenseEnough(max[1], total)) {
    fail(
      `model.vocab[${JSON.stringify(max[0])}] has id ${max[1]}, but there are ${total} tokens; ${denseIdsRule(total)}`,
    );
  }
  const textOf = new Array<string | undefined>(max === undefined ? 0 : max[1] + 1);
  for (const [text, id] of ids) {
    const other = textOf[id];
    if (other !== undefined)
      fail(`model.vocab[${JSON.stringify(other)}] and [${JSON.stringify(text)}] both have id ${id}`);
    textOf[id] = text;
  }
  return ids;
}

/** `model.merges` as pairs of vocabulary ids. */
function mergePairs(merges: unknown, ids: ReadonlyMap<string, number>): [number, number][] {
  if (!Array.isArray(merges)) {
    fail(
      `model.merges must be an array of "left right" strings or [left, right] pairs, got ${JSON.stringify(merges)}`,
    );
  }
  return merges.map((m: unknown, i): [number, number] => {
    const pair = typeof m === 'string' ? m.split(' ') : m;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((part) => typeof part === 'string')) {
      fail(`model.merges[${i}] must be "left right" or [left, right], got ${JSON.stringify(m)}`);
    }
    return pair.map((text: string) => {
      const id = ids.get(text);
      if (id === undefined) fail(`model.merges[${i}] names ${JSON.stringify(text)}, not in model.vocab`);
      return id;
    }) as [number, number];
  });
}

/**
 * Reads a byte-level BPE `tokenizer.json` (text, or the parsed object) into `BPETokenizer` options,
 * checking every field it uses before anything is sized by it: ids are JSON integers (a string such
 * as `"300"` or `"0x12C"` is refused; JSON has one number type, so `3e2` is 300 as `JSON.parse`
 * reads it), unique, and dense (see `isDenseEnough`).
 * @throws TokenizerError naming the field for anything malformed or unsupported.
 */
export function parseHuggingFace(file: unknown): BPETokenizerOptions {
  let json = file;
  if (typeof file === 'string') {
    try {
      json = JSON.parse(file);
    } catch (error) {
      fail(`tokenizer.json is not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isObject(json)) fail(`tokenizer.json must be a JSON object, got ${JSON.stringify(json)}`);
  const { model } = json;
  if (!isObject(model)) fail(`model must be an object, got ${JSON.stringify(model)}`);
  if (model.type !== 'BPE') unsupported(`model type ${JSON.stringify(model.type)}`);
  if (json.normalizer) unsupported('a normalizer');
  for (const key of ['continuing_subword_prefix', 'end_of_word_suffix']) {
    if (model[key]) unsupported(`model.${key}`);
  }
  if (model.byte_fallback) unsupported('model.byte_fallback');
  const ignoreMerges = model.ignore_merges ?? false;
  if (typeof ignoreMerges !== 'boolean')
    fail(`model.ignore_merges must be a boolean, got ${JSON.stringify(ignoreMerges)}`);
  const specialTokens = addedTokens(json.added_tokens);
  const ids = vocabulary(model.vocab, (entries) => entries + Object.keys(specialTokens).length);
  const tokens: Uint8Array[] = [];
  for (const [text, id] of ids) {
    if (specialTokens[text] === id) continue;
    const bytes = byteLevelToBytes(text);
    if (bytes === undefined)
      fail(`model.vocab entry ${JSON.stringify(text)} (${id}) is not a byte-level token`);
    tokens[id] = bytes;
  }
  return {
    tokens,
    merges: mergePairs(model.merges, ids),
    ignoreMerges,
    pattern: patternOf(json.pre_tokenizer as HuggingFacePreTokenizer | null | undefined),
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
