import { describe, expect, it } from 'vitest';
import { TokenizerError } from '../errors.js';
import { Pretokenizer } from '../patterns.js';
import { sotuText } from '../testing/corpora.js';
import { utf8Encode } from '../utf8.js';
import { BPETokenizer } from './bpe-tokenizer.js';
import type { BPETrainProgress } from './train.js';

const WHOLE = /[\s\S]+/u;
const tokenStrings = (tok: BPETokenizer, from = 256) =>
  Array.from({ length: tok.vocabSize - from }, (_, i) => String.fromCharCode(...tok.tokenBytes(from + i)!));

/**
 * Training written the slow, obvious way: recount every pair of every word after each merge and
 * take the most frequent (ties: smallest left id, then right id); joined bytes already in the
 * vocabulary reuse that token.
 */
function naiveTrain(text: string, vocabSize: number): string[] {
  const counts = new Map<string, number>();
  new Pretokenizer(
    String.raw`'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
  ).forEach(text, (p) => counts.set(p, (counts.get(p) ?? 0) + 1));
  const words = [...counts].map(([p, c]) => ({ ids: [...utf8Encode(p)], c }));
  const vocab = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));
  while (vocab.length < vocabSize) {
    const pairs = new Map<string, number>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.ids.length; i++) {
        const key = `${w.ids[i]},${w.ids[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + w.c);
      }
    }
    let best: [number, number] | undefined;
    let bestCount = 1; // minFrequency 2
    for (const [key, c] of pairs) {
      const [a, b] = key.split(',').map(Number) as [number, number];
      if (c > bestCount || (c === bestCount && best && (a < best[0] || (a === best[0] && b < best[1])))) {
        if (c >= 2) [best, bestCount] = [[a, b], c];
      }
    }
    if (!best) break;
    const joined = vocab[best[0]]! + vocab[best[1]]!;
    let id = vocab.indexOf(joined);
    if (id < 0) id = vocab.push(joined) - 1;
    for (const w of words) {
      const out: number[] = [];
      for (let i = 0; i < w.ids.length; i++) {
        if (w.ids[i] === best[0] && w.ids[i + 1] === best[1]) {
          out.push(id);
          i++;
        } else out.push(w.ids[i]!);
      }
      w.ids = out;
    }
  }
  return vocab.slice(256);
}

describe('BPETokenizer.train', () => {
  it('learns the textbook example: aa, then ab (the smaller pair of a tie), then aaab', () => {
    const tok = BPETokenizer.train('aaabdaaabac', { vocabSize: 300, pattern: WHOLE });
    expect(tokenStrings(tok)).toEqual(['aa', 'ab', 'aaab']);
    expect(tok.encode('aaabdaaabac')).toEqual([258, 100, 258, 97, 99]); // aaab d aaab a c
  });

  it('learns exactly the merges of a full recount after every merge', () => {
    const text = sotuText().slice(0, 30_000);
    const tok = BPETokenizer.train(text, { vocabSize: 420 });
    expect(tokenStrings(tok)).toEqual(naiveTrain(text, 420));
  });

  it('trains 4,096 tokens on the whole State of the Union corpus, reporting progress', () => {
    const speeches = sotuText().split('\n\n');
    const events: BPETrainProgress[] = [];
    const tok = BPETokenizer.train(speeches, {
      vocabSize: 4096,
      specialTokens: ['<|endoftext|>'],
      onProgress: (p) => events.push(p),
    });
    expect(tok.vocabSize).toBe(4096);
    expect(tok.tokenToId('<|endoftext|>')).toBe(4095);
    const merges = events.filter((e) => e.phase === 'merge');
    expect(merges.length).toBeGreaterThan(10);
    expect(merges.at(-1)).toEqual({ phase: 'merge', done: 3839, total: 3839 });
    expect(merges.every((e, i) => i === 0 || e.done >= merges[i - 1]!.done)).toBe(true);
    expect(events[0]!.phase).toBe('count');
    const text = sotuText();
    const ids = tok.encode(text);
    expect(tok.decode(ids)).toBe(text);
    expect(text.length / ids.length).toBeGreaterThan(4); // characters per token on its own corpus
  });

  it('never learns from special-token text in the corpus', () => {
    const tok = BPETokenizer.train('<|eot|>hi<|eot|>hi<|eot|>', {
      vocabSize: 300,
      specialTokens: ['<|eot|>'],
    });
    expect(tokenStrings(tok, 256).filter((t) => t.includes('|'))).toEqual(['<|eot|>']);
    expect(tokenStrings(tok, 256).slice(0, -1)).toEqual(['hi']);
  });

  it('stops when no pair is frequent enough, and checks vocabSize', () => {
    expect(BPETokenizer.train('abcd', { vocabSize: 1000 }).vocabSize).toBe(256);
    expect(BPETokenizer.train('abab', { vocabSize: 1000, pattern: WHOLE, minFrequency: 3 }).vocabSize).toBe(
      256,
    );
    expect(() => BPETokenizer.train('x', { vocabSize: 256, specialTokens: ['<s>'] })).toThrow(TokenizerError);
  });
});
