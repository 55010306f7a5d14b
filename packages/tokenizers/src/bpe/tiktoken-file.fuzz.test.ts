import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from '../errors.js';
import { utf8Encode } from '../utf8.js';
import { base64Encode } from './base64.js';
import { BPETokenizer } from './bpe-tokenizer.js';

/** Cases per property: a few hundred in the normal suite, thousands under `pnpm fuzz`. */
const runs = Number(process.env.PROJ_FUZZ_RUNS ?? 100);

/** Every byte, then a few tokens made by merging them. */
const TOKENS = [
  ...Array.from({ length: 256 }, (_, b) => Uint8Array.of(b)),
  ...['ab', 'abc', 'th', 'the', ' the', 'é', '\n\n'].map(utf8Encode),
];

/** A well-formed rank file: the tokens in a random rank order, with a few holes, as lines. */
const linesArb = fc
  .tuple(fc.shuffledSubarray([...TOKENS.keys()], { minLength: TOKENS.length }), fc.nat({ max: 40 }))
  .map(([order, holes]) =>
    order.map((token, rank) => `${base64Encode(TOKENS[token]!)} ${rank + (rank >= 100 ? holes : 0)}`),
  );

/** What a hostile editor writes where a rank goes. */
const rankArb = fc.oneof(
  fc.constantFrom(
    '2147483648',
    '100000000',
    '4294967296',
    '18446744073709551616',
    '9'.repeat(400),
    '0x12C',
    '3e2',
    '+1',
    '-1',
    '',
    '1.0',
    ' 5',
    '00',
    '٣',
    'NaN',
    'Infinity',
    '0',
    '263',
  ),
  fc.nat({ max: 600 }).map(String),
  fc.string({ maxLength: 4 }),
);

/** One edit of the lines, then the text: a hostile rank, a repeated, lost or garbled line, bytes cut or added. */
const fileArb = fc.oneof(
  linesArb.map((lines) => lines.join('\n')),
  {
    weight: 4,
    arbitrary: fc.tuple(linesArb, fc.nat(), rankArb).map(([lines, at, rank]) => {
      const i = at % lines.length;
      lines[i] = `${lines[i]!.split(' ')[0]} ${rank}`;
      return lines.join('\n');
    }),
  },
  fc.tuple(linesArb, fc.nat(), fc.nat()).map(([lines, from, to]) => {
    lines.splice(to % lines.length, 0, lines[from % lines.length]!);
    return lines.join('\n');
  }),
  fc.tuple(linesArb, fc.nat(), fc.string({ maxLength: 8 })).map(([lines, at, garbage]) => {
    const i = at % lines.length;
    lines[i] = garbage + lines[i]!.slice(lines[i]!.indexOf(' '));
    return lines.join('\n');
  }),
  fc.tuple(linesArb, fc.nat()).map(([lines, at]) => {
    lines.splice(at % lines.length, 1);
    return lines.join('\r\n');
  }),
  fc
    .tuple(linesArb, fc.nat(), fc.nat({ max: 3 }), fc.string({ maxLength: 3 }))
    .map(([lines, at, cut, insert]) => {
      const text = lines.join('\n');
      const i = at % (text.length + 1);
      return text.slice(0, i) + insert + text.slice(i + cut);
    }),
  fc.string({ maxLength: 40 }),
);

/** Loads `text`: a TokenizerError, or a tokenizer bounded by the file that round-trips. */
function loadOrTokenizerError(text: string): void {
  let tok: BPETokenizer;
  try {
    tok = BPETokenizer.fromTiktoken(text);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenizerError);
    return;
  }
  // what loaded follows the format: `base64 rank`, the rank in decimal digits, few holes
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  for (const line of lines) expect(line.trimEnd()).toMatch(/^\S+ \d+$/);
  expect(tok.vocabSize).toBeLessThanOrEqual(2 * lines.length + 256);
  const sample = 'the abc\n\nthé ab';
  expect(tok.decode(tok.encode(sample))).toBe(sample);
  const again = BPETokenizer.fromTiktoken(tok.toTiktoken());
  expect(again.encode(sample)).toEqual(tok.encode(sample));
}

describe('fromTiktoken on hostile files: it loads and round-trips, or throws a TokenizerError', () => {
  it('well-formed files with holes load', () => {
    fc.assert(
      fc.property(linesArb, (lines) => {
        const tok = BPETokenizer.fromTiktoken(lines.join('\n'));
        expect(tok.vocabSize).toBe(Math.max(...lines.map((l) => Number(l.split(' ')[1]))) + 1);
      }),
      { numRuns: runs },
    );
  });

  it('edited files: hostile ranks, repeated, lost or garbled lines, cut or inserted characters', () => {
    fc.assert(fc.property(fileArb, loadOrTokenizerError), { numRuns: runs * 4 });
  });
});
