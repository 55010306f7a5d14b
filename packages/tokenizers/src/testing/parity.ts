/** Test-only: the whole-corpus parity suite, one test file per encoding so they run in parallel. */
import { createRequire } from 'node:module';
import { Tiktoken } from 'js-tiktoken/lite';
import { describe, expect, it } from 'vitest';
import { type EncodingName, firstDifference, openaiTokenizer, sotuText, tinyShakespeare } from './corpora.js';

/** Asserts our ids equal js-tiktoken's for `name` over whole corpora, and that they decode back. */
export function describeCorpusParity(name: EncodingName): void {
  describe(`${name}: ids equal js-tiktoken's on whole corpora`, () => {
    const reference = new Tiktoken(createRequire(import.meta.url)(`js-tiktoken/ranks/${name}`));

    const check = (text: string) => {
      const tok = openaiTokenizer(name);
      const ours = tok.encode(text);
      const theirs = reference.encode(text);
      const at = firstDifference(ours, theirs);
      // On a mismatch, show the neighbourhood rather than two million ids.
      expect(at === -1 ? [] : [ours.slice(at, at + 8), theirs.slice(at, at + 8)]).toEqual([]);
      expect(ours.length).toBe(theirs.length);
      expect(tok.decode(ours)).toBe(text);
    };

    it('State of the Union (10.7M characters)', () => check(sotuText()));

    const shakespeare = tinyShakespeare();
    it.runIf(shakespeare !== undefined)('Tiny Shakespeare', () => check(shakespeare!));

    it('encodeBatch over the first speeches equals one encode per speech', () => {
      const speeches = sotuText().split('\n\n').slice(0, 12);
      const batch = openaiTokenizer(name).encodeBatch(speeches);
      expect(batch).toEqual(speeches.map((s) => reference.encode(s)));
    });
  });
}
