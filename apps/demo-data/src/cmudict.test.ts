import { describe, expect, it } from 'vitest';
import { cmudict, cmudictEntries, stripStress } from './cmudict.js';
import { splitOf } from './hash-split.js';

const entries = cmudictEntries();
const splits = cmudict();

describe('cmudictEntries', () => {
  it('folds variants into their word, first pronunciation first', () => {
    expect(entries).toHaveLength(126_046);
    const byWord = new Map(entries.map((e) => [e.word, e.pronunciations]));
    expect(byWord.get('tomato')).toEqual(['T AH0 M EY1 T OW2', 'T AH0 M AA1 T OW2']);
    expect(byWord.get('a')).toEqual(['AH0', 'EY1']);
    expect(byWord.get('abkhazian')).toHaveLength(4);
    expect(byWord.has('a(2)')).toBe(false);
  });

  it('drops the comments some entries carry', () => {
    const byWord = new Map(entries.map((e) => [e.word, e.pronunciations]));
    expect(byWord.get('aalborg')![0]).toBe('AO1 L B AO0 R G'); // "# place, danish" in the package
    for (const e of entries)
      for (const p of e.pronunciations) expect(p).toMatch(/^[A-Z]+[012]?( [A-Z]+[012]?)*$/);
  });
});

describe('cmudict split', () => {
  const all = [...splits.train, ...splits.valid, ...splits.test];

  it('is deterministic, disjoint and complete', () => {
    expect(cmudict()).toEqual(splits);
    expect(all).toHaveLength(entries.length);
    expect(new Set(all.map((e) => e.word)).size).toBe(entries.length);
  });

  it('is about 90/5/5', () => {
    const n = entries.length;
    expect(splits.train.length / n).toBeCloseTo(0.9, 2);
    expect(splits.valid.length / n).toBeCloseTo(0.05, 2);
    expect(splits.test.length / n).toBeCloseTo(0.05, 2);
  });

  it('puts known words in known splits (fnv1a32 of the word, mod 20)', () => {
    const where = (word: string) =>
      (['train', 'valid', 'test'] as const).find((s) => splits[s].some((e) => e.word === word));
    // Splits computed independently with Python's FNV-1a over the UTF-8 word (bucket = hash % 20).
    const known = {
      train: ['hello', 'world', 'zebra'],
      valid: ['aaron', 'achilles', 'acrobats'],
      test: ['tomato', 'aardvark', 'abraham', 'accurate', 'address'],
    };
    for (const [split, words] of Object.entries(known))
      for (const word of words) {
        expect(where(word)).toBe(split);
        expect(splitOf(word)).toBe(split);
      }
  });
});

describe('stripStress', () => {
  it('removes the stress digits only', () => {
    expect(stripStress('HH AH0 L OW1')).toBe('HH AH L OW');
    expect(stripStress('T AH0 M EY1 T OW2')).toBe('T AH M EY T OW');
  });
});
