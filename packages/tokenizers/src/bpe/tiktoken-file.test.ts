import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from '../errors.js';
import { openaiTokenizer, rankFile, sotuText } from '../testing/corpora.js';
import { BPETokenizer } from './bpe-tokenizer.js';
import { ENCODINGS } from './encodings.js';

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
    expect(() => BPETokenizer.fromTiktoken('YQ== 0\nYg== 0\n')).toThrow(
      /rank 0 appears twice, on lines 1 and 2/,
    );
    expect(() => BPETokenizer.fromTiktoken('Y*== 0\n')).toThrow(/line 1/);
  });

  describe('hostile rank files get a TokenizerError naming the line, before anything is allocated', () => {
    /** The 256 single bytes at ranks 0–255, one line each. */
    const bytes = Array.from({ length: 256 }, (_, b) => `${btoa(String.fromCharCode(b))} ${b}`).join('\n');
    const refused = (text: string) => {
      try {
        BPETokenizer.fromTiktoken(text);
      } catch (error) {
        expect(error).toBeInstanceOf(TokenizerError);
        return (error as Error).message;
      }
      return 'loaded';
    };

    it('a rank far beyond the number of tokens (2^31, 1e8, 2^32) is refused at once', () => {
      for (const rank of ['2147483648', '100000000', '4294967296', '18446744073709551616']) {
        expect(refused(`${bytes}\nYWI= ${rank}\n`)).toBe(
          `fromTiktoken: line 257 has rank ${rank}, but the file holds 257 tokens; ids must run from 0 with at most 257 + 256 gaps`,
        );
      }
      // holes are fine within that bound: p50k_base skips 50256, and a trained file skips its special ids
      expect(refused(`${bytes}\nYWI= 700\n`)).toBe('loaded');
    });

    it('a rank must be plain decimal digits', () => {
      for (const rank of ['0x12C', '3e2', '+300', '300.0', '-1', '', ' 300', '３００']) {
        expect(refused(`${bytes}\nYWI= ${rank}\n`)).toBe(
          `fromTiktoken: line 257 is not "base64 rank" with a decimal rank: ${JSON.stringify(`YWI= ${rank}`.trimEnd())}`,
        );
      }
    });

    it('a rank or a token given twice names both lines', () => {
      expect(refused(`${bytes}\nYWI= 256\nYWM= 256\n`)).toBe(
        'fromTiktoken: rank 256 appears twice, on lines 257 and 258',
      );
      expect(refused(`${bytes}\nYWI= 256\n\nYWI= 257\n`)).toBe(
        'fromTiktoken: lines 257 and 259 hold the same token bytes (ranks 256 and 257)',
      );
    });

    it('an OpenAI file with a hole loads with its exact ranks (p50k_base skips 50256, its special)', () => {
      const file = readFileSync(
        createRequire(import.meta.url).resolve('gpt-tokenizer/data/p50k_base.tiktoken'),
        'utf8',
      );
      const p50k = BPETokenizer.fromTiktoken(file, ENCODINGS.p50k_base);
      expect(p50k.vocabSize).toBe(50281);
      expect(p50k.toTiktoken()).toBe(file);
    });
  });
});
