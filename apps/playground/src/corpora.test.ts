import { describe, expect, it } from 'vitest';
import { ASSETS } from '../build/corpus-assets.js';
import { countCharacters } from './corpora.js';

describe('corpora', () => {
  it('counts characters as code points, lone surrogates once each', () => {
    expect(countCharacters('')).toBe(0);
    expect(countCharacters('abc')).toBe(3);
    expect(countCharacters('a🙂b')).toBe(3);
    expect(countCharacters('\uD83D')).toBe(1);
    expect(countCharacters('\uDE42\uD83D')).toBe(2);
    expect(countCharacters('🙂🙂')).toBe(2);
  });

  it("ships proj train's SOTU text (addresses in year order, blank lines between) and Moby Dick", () => {
    const sotu = ASSETS['corpora/sotu.txt']!();
    expect(sotu.startsWith('Fellow-Citizens of the Senate and House of Representatives:')).toBe(true);
    expect(countCharacters(sotu)).toBe(10_760_295);
    const moby = ASSETS['corpora/moby-dick.txt']!();
    expect(moby).toMatch(/^[\s\S]*Call me Ishmael\./);
    expect(moby.length).toBeGreaterThan(1_200_000);
    expect(ASSETS['ranks/r50k_base.tiktoken']!().split('\n', 1)[0]).toBe('IQ== 0');
  });
});
