import { describe, expect, it } from 'vitest';
import { openaiTokenizer, rankFile, sotuText } from '../testing/corpora.js';
import { BPETokenizer } from './bpe-tokenizer.js';

describe('.tiktoken files', () => {
  it('writes back OpenAI cl100k_base.tiktoken byte for byte', () => {
    expect(openaiTokenizer('cl100k_base').toTiktoken()).toBe(rankFile('cl100k_base'));
  });

  it('reloads a trained tokenizer with the same encoding', () => {
    const text = sotuText().slice(0, 300_000);
    const trained = BPETokenizer.train(text, { vocabSize: 800, specialTokens: ['<|eot|>'] });
    const back = BPETokenizer.fromTiktoken(trained.toTiktoken(), { specialTokens: { '<|eot|>': 800 - 1 } });
    expect(back.encode(text)).toEqual(trained.encode(text));
    expect(back.vocabSize).toBe(800);
  });

  it('parses blank lines and CRLF, and reports malformed lines by number', () => {
    const bytes = Array.from({ length: 256 }, (_, b) => `${btoa(String.fromCharCode(b))} ${b}`);
    const tok = BPETokenizer.fromTiktoken(`${bytes.join('\r\n')}\r\n\r\nYWI= 256\n`);
    expect(tok.encode('ab')).toEqual([256]);
    expect(() => BPETokenizer.fromTiktoken('YQ== 0\nYg==\n')).toThrow(/line 2 is not "base64 rank"/);
    expect(() => BPETokenizer.fromTiktoken('YQ== 0\nYg== 0\n')).toThrow(/rank 0 appears twice/);
    expect(() => BPETokenizer.fromTiktoken('Y*== 0\n')).toThrow(/line 1/);
  });
});
