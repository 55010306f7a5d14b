import { describe, expect, it } from 'vitest';
import { CharTokenizer } from './char-tokenizer.js';
import { DisallowedSpecialTokenError, TokenizerError } from './errors.js';

describe('CharTokenizer', () => {
  it('numbers the alphabet in code point order', () => {
    const tok = CharTokenizer.fromCorpus('hello world');
    // ' ' < 'd' < 'e' < 'h' < 'l' < 'o' < 'r' < 'w'
    expect(tok.vocabSize).toBe(8);
    expect(tok.encode('hello')).toEqual([3, 2, 4, 4, 5]);
    expect(tok.decode([7, 5, 6, 4, 1])).toBe('world');
    expect(tok.idToToken(0)).toBe(' ');
    expect(tok.tokenToId('r')).toBe(6);
  });

  it('treats an astral character as one token and round-trips it', () => {
    const text = 'a😀b𝔘👍🏽';
    const tok = CharTokenizer.fromCorpus(text);
    expect(tok.vocabSize).toBe(6); // a b 😀 𝔘 👍 🏽
    expect(tok.encode('😀')).toHaveLength(1);
    expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.tokenToId('😀')).toBe(tok.encode('😀')[0]);
  });

  it('keeps lone surrogates as their own tokens', () => {
    const text = 'x\ud800y\udc00\ud800';
    const tok = CharTokenizer.fromCorpus(text);
    expect(tok.encode(text)).toHaveLength(5);
    expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('names an unknown character and its index, or maps it to unk when asked', () => {
    const strict = CharTokenizer.fromCorpus('abc');
    expect(() => strict.encode('abz')).toThrow(TokenizerError);
    expect(() => strict.encode('abz')).toThrow(/"z" \(U\+007A\) at index 2/);
    const lenient = CharTokenizer.fromCorpus('abc', { unk: '?' });
    expect(lenient.encode('abz')).toEqual([0, 1, 3]);
    expect(lenient.decode(lenient.encode('azc'))).toBe('a?c');
    expect(lenient.tokenToId('?')).toBe(3);
  });

  it('gives special tokens ids after the alphabet and unk, allowed only on request', () => {
    const tok = CharTokenizer.fromCorpus('ab<|>', { unk: '?', specialTokens: ['<|eot|>'] });
    expect(tok.vocabSize).toBe(5 + 1 + 1);
    const eot = tok.tokenToId('<|eot|>')!;
    expect(eot).toBe(6);
    expect(() => tok.encode('a<|eot|>')).toThrow(DisallowedSpecialTokenError);
    expect(tok.encode('a<|eot|>', { allowedSpecial: 'all' })).toEqual([tok.tokenToId('a'), eot]);
    expect(tok.encodeOrdinary('<|eot|>')).toHaveLength(7);
    expect(tok.decode([eot])).toBe('<|eot|>');
  });

  it('splits on special tokens made of any punctuation', () => {
    const specials = ['<im-start>', '[SEP]', '{a.b*c}', 'x|y', '\\n', '(?:)', '^$'];
    const tok = CharTokenizer.fromCorpus('ab', { specialTokens: specials });
    for (const special of specials) {
      expect(tok.encode(`a${special}b`, { allowedSpecial: 'all' })).toEqual([0, tok.tokenToId(special), 1]);
    }
  });

  it('rejects ids outside the vocabulary when decoding', () => {
    const tok = CharTokenizer.fromCorpus('ab');
    expect(() => tok.decode([0, 2])).toThrow(/id 2 at position 1 is outside \[0, 2\)/);
    expect(() => tok.decode([-1])).toThrow(TokenizerError);
  });

  it('rejects an alphabet entry that is not one character', () => {
    expect(() => new CharTokenizer(['a', 'bc'])).toThrow(/alphabet entry 1/);
    expect(() => new CharTokenizer(['a', 'a'])).toThrow(/repeats/);
  });

  it('survives a JSON round trip', () => {
    const tok = CharTokenizer.fromCorpus('a\ud800\udc00\ud800b', { unk: '�', specialTokens: ['<s>'] });
    const back = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    const text = 'ab\ud800\udc00\ud800<s>x';
    expect(back.encode(text, { allowedSpecial: 'all' })).toEqual(tok.encode(text, { allowedSpecial: 'all' }));
    expect(back.vocabSize).toBe(tok.vocabSize);
  });
});
