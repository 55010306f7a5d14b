import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from '../errors.js';
import { BPETokenizer } from './bpe-tokenizer.js';
import { bytesToByteLevel } from './byte-level.js';

/** Cases per property: a few hundred in the normal suite, thousands under `pnpm fuzz`. */
const runs = Number(process.env.PROJ_FUZZ_RUNS ?? 100);

/** Each byte's GPT-2 alias at its own id, then tokens made by these merges. */
const MERGES = ['a b', 'ab c', 't h', 'th e', 'Ġ the', 'Ã ©'];

/** A small well-formed byte-level BPE tokenizer.json, as a fresh object. */
function baseFile(split: boolean): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[bytesToByteLevel(Uint8Array.of(b))] = b;
  MERGES.forEach((m, i) => {
    vocab[m.replace(' ', '')] = 256 + i;
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, use_regex: !split };
  return {
    added_tokens: [{ id: 262, content: '<|endoftext|>', special: true }],
    normalizer: null,
    pre_tokenizer: split
      ? {
          type: 'Sequence',
          pretokenizers: [
            {
              type: 'Split',
              pattern: { Regex: String.raw` ?\p{L}+|\s+|.` },
              behavior: 'Isolated',
              invert: false,
            },
            byteLevel,
          ],
        }
      : byteLevel,
    model: { type: 'BPE', vocab, merges: [...MERGES], ignore_merges: false },
  };
}

/** Where in the file a hostile editor writes. */
const PATHS: (string | number)[][] = [
  [],
  ['model'],
  ['model', 'type'],
  ['model', 'vocab'],
  ['model', 'vocab', 'ab'],
  ['model', 'vocab', 'a'],
  ['model', 'vocab', '__proto__'],
  ['model', 'vocab', 'new'],
  ['model', 'merges'],
  ['model', 'merges', 0],
  ['model', 'merges', 6],
  ['model', 'ignore_merges'],
  ['model', 'byte_fallback'],
  ['added_tokens'],
  ['added_tokens', 0],
  ['added_tokens', 0, 'id'],
  ['added_tokens', 0, 'content'],
  ['added_tokens', 1],
  ['pre_tokenizer'],
  ['pre_tokenizer', 'type'],
  ['pre_tokenizer', 'pretokenizers'],
  ['pre_tokenizer', 'pretokenizers', 0, 'pattern', 'Regex'],
  ['normalizer'],
];

/** What goes there. */
const hostileArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '300',
    '0x12C',
    '3e2',
    '',
    -1,
    0.5,
    2 ** 31,
    2 ** 32,
    1e8,
    2 ** 53,
    1e308,
    null,
    true,
    [],
    {},
    'a b',
    ['a', 'b'],
    'a b c',
    ['a'],
    '__proto__',
    'BPE',
    '(',
    'a{2,1}',
    { id: 2 ** 31, content: '<x>' },
    { id: '5', content: 'x' },
    { id: 263, content: '__proto__' },
    97,
    256,
  ),
  fc.nat({ max: 600 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** `file` with `value` written at `path` (creating objects on the way; arrays stay arrays). */
function setAt(file: Record<string, unknown>, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  let node = file as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string | number, unknown>;
  }
  Object.defineProperty(node, path[path.length - 1]!, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return file;
}

const editedArb = fc
  .tuple(fc.boolean(), fc.constantFrom(...PATHS), hostileArb, fc.boolean())
  .map(([split, path, value, asText]) => {
    const file = setAt(baseFile(split), path, value);
    return asText ? JSON.stringify(file) : file;
  });

/** The text of a well-formed file with characters cut or inserted, or any string. */
const textArb = fc.oneof(
  fc
    .tuple(fc.boolean(), fc.nat(), fc.nat({ max: 4 }), fc.string({ maxLength: 3 }))
    .map(([split, at, cut, insert]) => {
      const text = JSON.stringify(baseFile(split));
      const i = at % (text.length + 1);
      return text.slice(0, i) + insert + text.slice(i + cut);
    }),
  fc.string({ maxLength: 40 }),
);

/** Loads `file`: a TokenizerError, or a bounded tokenizer that round-trips through tokenizer.json. */
function loadOrTokenizerError(file: unknown): void {
  let tok: BPETokenizer;
  try {
    tok = BPETokenizer.fromHuggingFace(file as string);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenizerError);
    return;
  }
  const size = JSON.stringify(file).length;
  expect(tok.vocabSize).toBeLessThanOrEqual(2 * size + 256);
  const sample = 'the abc\n\nthé ab';
  expect(tok.decode(tok.encode(sample))).toBe(sample);
  const again = BPETokenizer.fromHuggingFace(JSON.stringify(tok.toHuggingFace()));
  expect(again.encode(sample)).toEqual(tok.encode(sample));
}

describe('fromHuggingFace on hostile files: it loads and round-trips, or throws a TokenizerError', () => {
  it('the well-formed files load and encode with their merges', () => {
    for (const split of [false, true]) {
      const tok = BPETokenizer.fromHuggingFace(baseFile(split) as never);
      expect(tok.encode(' the abc')).toEqual([260, 32, 257]);
    }
  });

  it('a field set to a hostile value: strings for ids, huge ids, wrong types, __proto__, bad merges', () => {
    fc.assert(fc.property(editedArb, loadOrTokenizerError), { numRuns: runs * 4 });
  });

  it('text with characters cut or inserted, and random strings', () => {
    fc.assert(fc.property(textArb, loadOrTokenizerError), { numRuns: runs * 2 });
  });
});
