import { describe, expect, it } from 'vitest';
import { BPETokenizer } from './bpe/bpe-tokenizer.js';
import { CharTokenizer } from './char-tokenizer.js';
import { TokenizerError } from './errors.js';
import { deserializeTokenizer, serializeTokenizer } from './tokenizer-state.js';
import { WordTokenizer } from './word-tokenizer.js';

const text = 'the cat sat on the mat; the dog sat on the log. ';

describe('serializeTokenizer / deserializeTokenizer', () => {
  it('reads the char form that checkpoints hold, with its ids', () => {
    const restored = deserializeTokenizer({
      type: 'char',
      alphabet: [' ', 'a', 'b'],
      specialTokens: ['<eos>'],
    });
    expect(restored.encode('ab a<eos>', { allowedSpecial: 'all' })).toEqual([1, 2, 0, 1, 3]);
  });

  it.each([
    ['char', CharTokenizer.fromCorpus(text, { specialTokens: ['<|endoftext|>'] })],
    ['word', WordTokenizer.fromCorpus(text)],
    ['bpe', BPETokenizer.train(text.repeat(4), { vocabSize: 270, specialTokens: ['<|endoftext|>'] })],
  ])('gives a %s tokenizer back with the same ids, through JSON text', (type, tokenizer) => {
    const state = serializeTokenizer(tokenizer);
    expect(state.type).toBe(type);
    const restored = deserializeTokenizer(JSON.stringify(state));
    expect(restored.constructor).toBe(tokenizer.constructor);
    expect(restored.vocabSize).toBe(tokenizer.vocabSize);
    expect(restored.encode(text)).toEqual(tokenizer.encode(text));
    expect(restored.specialTokens).toEqual(tokenizer.specialTokens);
  });

  it('names what is wrong', () => {
    expect(() => deserializeTokenizer({ type: 'sentencepiece' })).toThrow(
      /unknown tokenizer type "sentencepiece" \(expected "char", "word" or "bpe"\)/,
    );
    expect(() => deserializeTokenizer(null)).toThrow(/unknown tokenizer type undefined/);
    expect(() => deserializeTokenizer('{"type": "char"')).toThrow(/not valid JSON/);
    expect(() => deserializeTokenizer({ type: 'bpe' })).toThrow(
      /the bpe tokenizer cannot be restored \("huggingFace" must hold a tokenizer.json object\)/,
    );
    expect(() => deserializeTokenizer({ type: 'char', alphabet: 'ab' })).toThrow(TokenizerError);
    expect(() => serializeTokenizer({ constructor: { name: 'Mystery' } } as never)).toThrow(
      /cannot serialize a Mystery/,
    );
  });
});
