import { describe, expect, it } from 'vitest';
import { splitOf } from './hash-split.js';
import { joinNumberTokens, numberTokens, numberToWords, numberWords } from './number-words.js';

describe('numberToWords', () => {
  it("writes n2words' cardinals", () => {
    expect(numberToWords(42, 'en-US')).toBe('forty-two');
    expect(numberToWords(42, 'es-ES')).toBe('cuarenta y dos');
    expect(numberToWords(999_999, 'en-US')).toBe(
      'nine hundred ninety-nine thousand nine hundred ninety-nine',
    );
    expect(numberToWords(21_000, 'fr-FR')).toBe('vingt et un mille');
  });

  it('rejects other values and languages by name', () => {
    expect(() => numberToWords(-1, 'en-US')).toThrow('value must be a non-negative integer, got -1');
    expect(() => numberToWords(1.5, 'en-US')).toThrow('got 1.5');
    expect(() => numberToWords(1, 'xx' as 'en-US')).toThrow(
      "unknown language 'xx' (known: en-US, es-ES, fr-FR)",
    );
  });
});

describe('numberTokens', () => {
  it('splits on spaces and hyphens, and joins back', () => {
    expect(numberTokens('ninety-nine thousand one')).toEqual(['ninety', '-', 'nine', 'thousand', 'one']);
    for (const n of [0, 21, 101, 77_777, 999_999])
      for (const language of ['en-US', 'es-ES', 'fr-FR'] as const) {
        const text = numberToWords(n, language);
        expect(joinNumberTokens(numberTokens(text))).toBe(text);
      }
  });
});

describe('numberWords', () => {
  const sizes = { train: 3000, valid: 200, test: 200, long: 200 };
  const corpus = numberWords({ maxLength: 9, sizes });

  it('fills every part, deterministically', () => {
    for (const [part, n] of Object.entries(sizes)) expect(corpus[part as keyof typeof sizes]).toHaveLength(n);
    expect(numberWords({ maxLength: 9, sizes })).toEqual(corpus);
  });

  it('keeps the parts disjoint and each number in its hash split', () => {
    const seen = new Set<number>();
    for (const part of ['train', 'valid', 'test', 'long'] as const)
      for (const pair of corpus[part]) {
        expect(seen.has(pair.value)).toBe(false);
        seen.add(pair.value);
        expect(splitOf(String(pair.value))).toBe(part === 'long' ? 'test' : part);
        expect(pair.value).toBeLessThan(1_000_000);
        expect(pair.target).toBe(numberToWords(pair.value, 'es-ES'));
      }
  });

  it('puts only longer sources than any training source in long', () => {
    const longest = Math.max(...corpus.train.map((p) => numberTokens(p.source).length));
    expect(longest).toBe(9);
    for (const pair of corpus.long) expect(numberTokens(pair.source).length).toBeGreaterThan(longest);
  });

  it('spreads the numbers over the whole range', () => {
    const values = corpus.train.map((p) => p.value);
    expect(Math.min(...values)).toBeLessThan(10_000);
    expect(Math.max(...values)).toBeGreaterThan(990_000);
  });
});
