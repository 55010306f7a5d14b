import { describe, expect, it } from 'vitest';
import { TokenizerError } from './errors.js';
import { WordTokenizer } from './word-tokenizer.js';

describe('WordTokenizer', () => {
  const corpus = 'the cat sat on the mat. the end\n\n';

  it('splits with GPT-2 pieces that keep their leading space', () => {
    const tok = WordTokenizer.fromCorpus(corpus);
    // pieces: "the" " cat" " sat" " on" " the" " mat" "." " the" " end" "\n\n"; " the" ×2 first.
    expect(tok.idToToken(0)).toBe(' the');
    expect(tok.tokenToId(' cat')).toBeDefined();
    expect(tok.decode(tok.encode(corpus))).toBe(corpus);
    expect(tok.encode(' the cat')).toEqual([0, tok.tokenToId(' cat')]);
  });

  it('orders words by frequency, then code units, and caps the vocabulary', () => {
    const tok = WordTokenizer.fromCorpus('b a b c b a', { vocabSize: 3 });
    // pieces: "b" ×1, " a" ×2, " b" ×2, " c" ×1 → " a", " b" kept (2 words + unk = 3)
    expect(tok.vocabSize).toBe(3);
    expect([tok.idToToken(0), tok.idToToken(1), tok.idToToken(2)]).toEqual([' a', ' b', '<unk>']);
    expect(tok.encode('b a c')).toEqual([2, 0, 2]);
    expect(tok.decode(tok.encode(' a b c'))).toBe(' a b<unk>');
  });

  it('drops rare words with minFrequency', () => {
    const tok = WordTokenizer.fromCorpus('x y x y z', { minFrequency: 2, unk: '?' });
    // "x" ×1, " y" ×2, " x" ×1, " z" ×1 → only " y"
    expect(tok.vocabSize).toBe(2);
    expect(tok.decode(tok.encode('x y'))).toBe('? y');
  });

  it('throws on an unknown word when unk is null', () => {
    const tok = WordTokenizer.fromCorpus('hello world', { unk: null });
    expect(() => tok.encode('hello there')).toThrow(TokenizerError);
    expect(() => tok.encode('hello there')).toThrow(/" there"/);
  });

  it('uses a custom pattern and reports its source', () => {
    const tok = WordTokenizer.fromCorpus('a,b,,c', { pattern: /[^,]+|,/u });
    expect(tok.encode('a,c')).toHaveLength(3);
    expect(tok.pattern).toBe('[^,]+|,');
  });

  it('handles special tokens and survives a JSON round trip', () => {
    const tok = WordTokenizer.fromCorpus(corpus, { specialTokens: ['<|endoftext|>'] });
    const eot = tok.tokenToId('<|endoftext|>')!;
    expect(eot).toBe(tok.vocabSize - 1);
    const text = ' the cat<|endoftext|>the mat';
    const ids = tok.encode(text, { allowedSpecial: ['<|endoftext|>'] });
    expect(ids).toContain(eot);
    expect(tok.decode(ids)).toBe(text);
    const back = WordTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(back.encode(text, { allowedSpecial: 'all' })).toEqual(ids);
  });
});
