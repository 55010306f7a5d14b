import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BPETokenizer } from './bpe/bpe-tokenizer.js';
import { CharTokenizer } from './char-tokenizer.js';
import { openaiTokenizer, sotuText } from './testing/corpora.js';
import { trickyText, wellFormed } from './testing/tricky-text.js';
import { utf8Encode } from './utf8.js';
import { WordTokenizer } from './word-tokenizer.js';

/** Any UTF-16 code units (so lone surrogates too), any code points, and tricky fragments. */
const anyText = fc.oneof(
  fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  trickyText(),
);
/** Well-formed text: whole grapheme clusters only. */
const wellFormedText = fc.string({ unit: 'grapheme', maxLength: 60 });
const runs = { numRuns: 300, seed: 5 };

describe('decode(encode(s)) === s', () => {
  const small = BPETokenizer.train(sotuText().slice(0, 200_000), {
    vocabSize: 512,
    specialTokens: ['<|eot|>'],
  });
  const bpes = { cl100k_base: openaiTokenizer('cl100k_base'), trained: small };

  for (const [name, tok] of Object.entries(bpes)) {
    it(`byte-level BPE (${name}): exactly for well-formed text`, () => {
      fc.assert(
        fc.property(wellFormedText, (s) => {
          expect(tok.decode(tok.encode(s, { disallowedSpecial: [] }))).toBe(s);
        }),
        runs,
      );
    });

    it(`byte-level BPE (${name}): lone surrogates come back as U+FFFD, bytes split anywhere`, () => {
      fc.assert(
        fc.property(anyText, fc.nat(), (s, cut) => {
          const ids = tok.encodeOrdinary(s);
          expect(tok.decode(ids)).toBe(wellFormed(s));
          const k = ids.length === 0 ? 0 : cut % ids.length;
          const joined = [...tok.decodeBytes(ids.slice(0, k)), ...tok.decodeBytes(ids.slice(k))];
          expect(joined).toEqual([...utf8Encode(s)]);
        }),
        runs,
      );
    });
  }

  it('CharTokenizer built from the text: exactly, lone surrogates included', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const tok = CharTokenizer.fromCorpus(s);
        expect(tok.decode(tok.encode(s))).toBe(s);
      }),
      runs,
    );
  });

  it('WordTokenizer whose corpus holds the text: exactly, lone surrogates included', () => {
    fc.assert(
      fc.property(anyText, anyText, (s, other) => {
        const tok = WordTokenizer.fromCorpus([other, s], { unk: null });
        expect(tok.decode(tok.encode(s))).toBe(s);
      }),
      runs,
    );
  });
});
