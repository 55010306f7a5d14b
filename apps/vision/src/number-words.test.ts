import { describe, expect, it } from 'vitest';
import { NUMBER_WORDS, numberToWords } from './number-words.js';

describe('numberToWords', () => {
  it('writes 0…9999 in words', () => {
    expect(numberToWords(0)).toBe('zero');
    expect(numberToWords(7)).toBe('seven');
    expect(numberToWords(13)).toBe('thirteen');
    expect(numberToWords(40)).toBe('forty');
    expect(numberToWords(58)).toBe('fifty eight');
    expect(numberToWords(412)).toBe('four hundred twelve');
    expect(numberToWords(900)).toBe('nine hundred');
    expect(numberToWords(1005)).toBe('one thousand five');
    expect(numberToWords(2019)).toBe('two thousand nineteen');
    expect(numberToWords(9999)).toBe('nine thousand nine hundred ninety nine');
  });

  it('gives every number a distinct phrase over the 30-word vocabulary', () => {
    const seen = new Set<string>();
    for (let n = 0; n <= 9999; n++) {
      const words = numberToWords(n);
      expect(words.split(' ').every((w) => NUMBER_WORDS.includes(w))).toBe(true);
      seen.add(words);
    }
    expect(seen.size).toBe(10_000);
    expect(NUMBER_WORDS).toHaveLength(30);
  });

  it('rejects what it cannot write', () => {
    expect(() => numberToWords(10_000)).toThrow('numberToWords: expected an integer in 0..9999, got 10000');
    expect(() => numberToWords(1.5)).toThrow(RangeError);
  });
});
