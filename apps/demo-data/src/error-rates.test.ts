import { describe, expect, it } from 'vitest';
import { ErrorRateCounter, editDistance } from './error-rates.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance([...'kitten'], [...'sitting'])).toBe(3); // the textbook example
    expect(editDistance([...'flaw'], [...'lawn'])).toBe(2);
    expect(editDistance([], ['a', 'b'])).toBe(2);
    expect(editDistance(['a'], [])).toBe(1);
    expect(editDistance(['K', 'AE1', 'T'], ['K', 'AE1', 'T'])).toBe(0);
  });
});

describe('ErrorRateCounter', () => {
  const p = (s: string) => s.split(' ');

  it('counts a word right when it matches any reference', () => {
    const c = new ErrorRateCounter();
    c.add(p('T AH0 M AA1 T OW2'), [p('T AH0 M EY1 T OW2'), p('T AH0 M AA1 T OW2')]); // the second
    c.add(p('K AE1 T'), [p('K AE1 T')]);
    expect(c.rates()).toEqual({ wer: 0, per: 0, words: 2 });
  });

  it('scores phoneme errors against the closest reference', () => {
    const c = new ErrorRateCounter();
    c.add(p('T AH0 M EY1 T OW0'), [p('T AH0 M AA1 T OW2'), p('T AH0 M EY1 T OW2')]); // 1 edit, 6 phonemes
    c.add(p('D AO1 G Z'), [p('D AO1 G')]); // 1 edit (insertion), 3 phonemes
    c.add(p('HH'), [p('HH AH0 L OW1')]); // 3 deletions, 4 phonemes
    expect(c.rates()).toEqual({ wer: 1, per: 5 / 13, words: 3 });
  });

  it('is 0 on an empty set', () => {
    expect(new ErrorRateCounter().rates()).toEqual({ wer: 0, per: 0, words: 0 });
  });
});
