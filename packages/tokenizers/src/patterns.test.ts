import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN, Pretokenizer } from './patterns.js';
import { translateRegex } from './regex-translate.js';
import { sotuText } from './testing/corpora.js';
import { trickyText } from './testing/tricky-text.js';

function pieces(pre: Pretokenizer, text: string): string[] {
  const out: string[] = [];
  pre.forEach(text, (p) => out.push(p));
  return out;
}

describe('built-in patterns', () => {
  const builtIn = { GPT2_PATTERN, CL100K_PATTERN, O200K_PATTERN };

  for (const [name, source] of Object.entries(builtIn)) {
    it(`${name}: the hand-written RegExp splits like the translated tiktoken source`, () => {
      const fast = new Pretokenizer(source);
      const translated = new Pretokenizer(new RegExp(translateRegex(source), 'u'));
      const text = sotuText().slice(0, 1_000_000);
      expect(pieces(fast, text)).toEqual(pieces(translated, text));
      fc.assert(
        fc.property(trickyText(), (s) => {
          expect(pieces(fast, s)).toEqual(pieces(translated, s));
        }),
        { numRuns: 300, seed: 7 },
      );
    });
  }

  it('accepts Python tiktoken 0.7+ cl100k source, which differs only on trailing whitespace', () => {
    const modern = new Pretokenizer(
      String.raw`'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`,
    );
    const ours = new Pretokenizer(CL100K_PATTERN);
    expect(pieces(ours, "I'LL go  \n x")).toEqual(pieces(modern, "I'LL go  \n x"));
    expect(pieces(ours, 'end \n ')).toEqual(['end', ' \n', ' ']);
    expect(pieces(modern, 'end \n ')).toEqual(['end', ' \n ']);
  });
});

describe('Pretokenizer', () => {
  it('keeps the text a pattern leaves out as pieces, so pieces join back to the text', () => {
    const pre = new Pretokenizer(/\d+/u);
    expect(pieces(pre, 'ab12cd345')).toEqual(['ab', '12', 'cd', '345']);
    expect(pieces(pre, '')).toEqual([]);
  });

  it('skips empty matches without looping', () => {
    const pre = new Pretokenizer(/x*/u);
    expect(pieces(pre, 'abxxc😀x')).toEqual(['ab', 'xx', 'c😀', 'x']);
  });

  it('finds the same pieces whatever flags the RegExp has', () => {
    expect(pieces(new Pretokenizer(/b+/gu), 'abba')).toEqual(['a', 'bb', 'a']);
    expect(pieces(new Pretokenizer(/b+/uy), 'abba')).toEqual(['a', 'bb', 'a']);
    expect(pieces(new Pretokenizer(/B+/i), 'abba')).toEqual(['a', 'bb', 'a']);
  });

  it('never cuts a surrogate pair, even with a regex that matches UTF-16 units', () => {
    expect(pieces(new Pretokenizer(/./), 'a😀b')).toEqual(['a', '😀', 'b']);
    expect(pieces(new Pretokenizer(/[^\ude00]/), 'a😀b')).toEqual(['a', '😀', 'b']);
  });
});
