import { createRequire } from 'node:module';
import fc from 'fast-check';
import { Tiktoken as JsTiktoken } from 'js-tiktoken/lite';
import { describe, expect, it } from 'vitest';
import { type EncodingName, openaiTokenizer } from '../testing/corpora.js';
import { trickyText, wellFormed } from '../testing/tricky-text.js';

const require = createRequire(import.meta.url);
const { get_encoding } = require('tiktoken') as typeof import('tiktoken');

/** The characters on which js-tiktoken's `\s` (JavaScript's) and tiktoken's (Unicode White_Space) differ. */
const WHITESPACE_DISAGREEMENT = /[\u0085\ufeff]/;

describe.each(['gpt2', 'cl100k_base', 'o200k_base'] as EncodingName[])('%s on adversarial text', (name) => {
  const wasm = get_encoding(name);
  const js = new JsTiktoken(require(`js-tiktoken/ranks/${name}`));

  it('matches tiktoken (the Rust core, via WASM) exactly, and js-tiktoken wherever the two agree', () => {
    const tok = openaiTokenizer(name);
    fc.assert(
      fc.property(trickyText(), (text) => {
        const ours = tok.encodeOrdinary(text);
        expect(ours).toEqual([...wasm.encode_ordinary(text)]);
        const theirs = js.encode(text, [], []);
        if (JSON.stringify(theirs) !== JSON.stringify(ours)) expect(text).toMatch(WHITESPACE_DISAGREEMENT);
        expect(tok.decode(ours)).toBe(wellFormed(text));
      }),
      { numRuns: 250, seed: 2024 },
    );
  });

  it('follows tiktoken, not js-tiktoken, where their whitespace differs (U+FEFF)', () => {
    const text = 'a \ufeffb !!\ufeff\ufeff!';
    const ours = openaiTokenizer(name).encodeOrdinary(text);
    expect(ours).toEqual([...wasm.encode_ordinary(text)]);
    expect(ours).not.toEqual(js.encode(text, [], []));
  });

  it('matches on hand-picked edge cases', () => {
    const tok = openaiTokenizer(name);
    const cases = [
      '',
      "I'LL DON'T it'ſ they'Re",
      'a\ufeffb \ufeff\ufeff!!\ufeff',
      'x\u0085 \u0085y',
      'lone \ud800 high, \udc00 low, pair \ud83d\ude00, swapped \ude00\ud83d',
      '1234567890 ١٢٣٤٥ ＡＢＣ１２３',
      '    leading and trailing    \n\n\n   \t\t  \r\n\r\n  ',
      'path/to/file.ts http://example.com/a/b?c=d',
      '👨‍👩‍👧‍👦🏳️‍🌈🇯🇵 e\u0301\u0301\u0301',
      'Ǆemal ǅemal ǆemal MixedCASEWords camelCaseWord',
    ];
    for (const text of cases) {
      expect(tok.encodeOrdinary(text)).toEqual([...wasm.encode_ordinary(text)]);
    }
  });

  it('matches on long runs (linked-list merging)', () => {
    const tok = openaiTokenizer(name);
    for (const unit of ['a', 'Ab', ' ', '\n', '1', '!', '😀', '日本', ' \n', 'x ']) {
      const text = unit.repeat(Math.ceil(5000 / unit.length));
      expect(tok.encodeOrdinary(text)).toEqual([...wasm.encode_ordinary(text)]);
    }
  });
});
