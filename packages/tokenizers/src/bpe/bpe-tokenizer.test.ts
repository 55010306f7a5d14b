import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from '../errors.js';
import { openaiTokenizer, sotuText } from '../testing/corpora.js';
import { utf8Encode } from '../utf8.js';
import { BPETokenizer } from './bpe-tokenizer.js';

const bytes = (s: string) => utf8Encode(s);
const BYTES = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
const WHOLE = /[\s\S]+/u; // one piece: the whole text

/** Bytes as ids, then ab=256, bc=257, abc=258, aa=259. */
function tiny(options: { merges?: [number, number][]; pattern?: RegExp } = {}): BPETokenizer {
  return new BPETokenizer({
    tokens: [...BYTES, bytes('ab'), bytes('bc'), bytes('abc'), bytes('aa')],
    pattern: options.pattern ?? WHOLE,
    merges: options.merges,
  });
}

/**
 * tiktoken's merge rule written the slow, obvious way: join the adjacent pair whose joined bytes
 * have the lowest rank (leftmost on ties) until no joined pair is a token.
 */
function naiveMerge(ranks: Map<string, number>, piece: Uint8Array): number[] {
  let parts = [...piece].map((b) => String.fromCharCode(b));
  for (;;) {
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = ranks.get(parts[i]! + parts[i + 1]!);
      if (r !== undefined && r < best) [best, at] = [r, i];
    }
    if (at < 0) return parts.map((p) => ranks.get(p)!);
    parts = [...parts.slice(0, at), parts[at]! + parts[at + 1]!, ...parts.slice(at + 2)];
  }
}

describe('BPETokenizer merging', () => {
  it('merges the lowest rank first, leftmost on ties (tiktoken rule)', () => {
    const tok = tiny();
    expect(tok.encode('abcd')).toEqual([258, 100]); // ab, then ab+c = abc
    expect(tok.encode('aaa')).toEqual([259, 97]); // two "aa" candidates: the left one wins
    expect(tok.encode('bca')).toEqual([257, 97]);
    expect(tok.encode('xbcab')).toEqual([120, 257, 256]);
    expect(tok.encode('abc')).toEqual([258]);
  });

  it('with Hugging Face merges, only listed pairs merge, in list order', () => {
    // "bc" is a token but no merge makes it; "aa" comes before "ab".
    const tok = tiny({
      merges: [
        [97, 97],
        [97, 98],
        [256, 99],
      ],
    });
    expect(tok.encode('bcd')).toEqual([98, 99, 100]);
    expect(tok.encode('aab')).toEqual([259, 98]);
    expect(tok.encode('abc')).toEqual([258]);
  });

  it('matches the obvious quadratic algorithm on long pieces (heap path) and short ones', () => {
    const base = BPETokenizer.train(sotuText().slice(0, 300_000), { vocabSize: 600 });
    const tokens = Array.from({ length: base.vocabSize }, (_, id) => base.tokenBytes(id));
    const tok = new BPETokenizer({ tokens, pattern: WHOLE });
    const ranks = new Map(tokens.map((t, id) => [String.fromCharCode(...t!), id]));
    const text = fc.array(fc.constantFrom('the', ' ', 'e', 'a', 'tion', 's', 'th', 'nd', 'é', '日'), {
      minLength: 1,
      maxLength: 150,
    });
    fc.assert(
      fc.property(text, (parts) => {
        const s = parts.join('');
        expect(tok.encode(s)).toEqual(naiveMerge(ranks, bytes(s)));
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

describe('BPETokenizer vocabulary', () => {
  const gpt2 = openaiTokenizer('gpt2');

  it('names tokens by their byte-level strings, as in GPT-2 files', () => {
    expect(gpt2.idToToken(262)).toBe('Ġthe');
    expect(gpt2.tokenToId('Ġthe')).toBe(262);
    expect(gpt2.idToToken(0)).toBe('!');
    expect(gpt2.tokenToId('Ċ')).toBe(198);
    expect(gpt2.tokenToId('<|endoftext|>')).toBe(50256);
    expect(gpt2.tokenToId('no such token')).toBeUndefined();
    expect(gpt2.idToToken(99_999)).toBeUndefined();
    expect(gpt2.vocabSize).toBe(50257);
  });

  it('decodeBytes keeps a UTF-8 character that the ids cut; decode shows U+FFFD for it', () => {
    const tok = tiny();
    const ids = tok.encode('é'); // two bytes, no merge: two ids
    expect(ids).toEqual([0xc3, 0xa9]);
    expect([...tok.decodeBytes([ids[0]!])]).toEqual([0xc3]);
    expect(tok.decode([ids[0]!])).toBe('\ufffd');
    expect(tok.decode(ids)).toBe('é');
    expect(tok.decode(tok.encode('\ufeffBOM'))).toBe('\ufeffBOM');
  });

  it('rejects ids outside the vocabulary, including holes', () => {
    const cl100k = openaiTokenizer('cl100k_base');
    expect(() => cl100k.decode([100256])).toThrow(/id 100256 at position 0/);
    expect(() => gpt2.decode([1, -1])).toThrow(TokenizerError);
    expect(() => gpt2.decode([1.5])).toThrow(TokenizerError);
  });

  it('rejects a vocabulary without every byte, with repeated bytes, or with a merge to nowhere', () => {
    expect(() => new BPETokenizer({ tokens: BYTES.slice(1) })).toThrow(/every byte must be a token; 1/);
    expect(() => new BPETokenizer({ tokens: [...BYTES, bytes('a')] })).toThrow(/tokens 97 and 256/);
    expect(() => new BPETokenizer({ tokens: [...BYTES, new Uint8Array()] })).toThrow(/empty/);
    expect(() => new BPETokenizer({ tokens: BYTES, merges: [[97, 98]] })).toThrow(/merge 0 \(97, 98\)/);
  });

  it('refuses a special id far beyond the vocabulary before sizing its tables by it', () => {
    for (const id of [2 ** 31, 1e8]) {
      expect(() => new BPETokenizer({ tokens: BYTES, specialTokens: { '<|x|>': id } })).toThrow(
        new TokenizerError(
          `BPETokenizer: special token "<|x|>" has id ${id}, but there are 257 tokens; ids must run from 0 with at most 257 + 256 gaps`,
        ),
      );
    }
    expect(new BPETokenizer({ tokens: BYTES, specialTokens: { '<|x|>': 700 } }).vocabSize).toBe(701);
  });
});

describe('BPETokenizer on long inputs', () => {
  it('encodes 100k-character runs in about linear time and round-trips them', () => {
    const tok = openaiTokenizer('o200k_base');
    for (const unit of [' ', 'a', 'A', '1', '\n', ' \n', '😀', '日', '!', 'ab ']) {
      const text = unit.repeat(Math.ceil(100_000 / unit.length));
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
  });
});
