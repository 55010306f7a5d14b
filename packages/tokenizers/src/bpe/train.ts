import { TokenizerError } from '../errors.js';
import { GPT2_PATTERN, Pretokenizer } from '../patterns.js';
import { SpecialTokens } from '../special-tokens.js';
import { utf8Encode } from '../utf8.js';
import type { BPETokenizerOptions } from './bpe-tokenizer.js';
import { bytesToBinary } from './byte-level.js';
import { MinHeap } from './heap.js';

/** Progress of {@link trainBPE}: counting pieces (`done` characters read), then merging (`done` merges). */
export interface BPETrainProgress {
  phase: 'count' | 'merge';
  done: number;
  /** Characters of the corpus (when it is a string or an array), or the merges wanted. */
  total: number | undefined;
}

/** Options of `BPETokenizer.train`. */
export interface BPETrainOptions {
  /** Ids wanted in all: the 256 bytes, the learned merges and the special tokens. */
  vocabSize: number;
  /** Pre-tokenisation pattern (tiktoken syntax or a `RegExp`); merges never cross pieces. Default {@link GPT2_PATTERN}. */
  pattern?: string | RegExp;
  /** Special tokens, given the last ids in this order. Their text in the corpus is not learned from. */
  specialTokens?: readonly string[];
  /** A pair must occur at least this often to be merged; training stops early otherwise. Default 2. */
  minFrequency?: number;
  /** Called as training advances (a few hundred times at most). */
  onProgress?: (progress: BPETrainProgress) => void;
}

/** Counts the pieces of the corpus, leaving special-token text out. */
function countPieces(corpus: string | Iterable<string>, options: BPETrainOptions): Map<string, number> {
  const pre = new Pretokenizer(options.pattern ?? GPT2_PATTERN);
  const specials = new SpecialTokens((options.specialTokens ?? []).map((t, i) => [t, i] as const));
  const allowed = [...specials.byText.keys()].sort((a, b) => b.length - a.length);
  const texts = typeof corpus === 'string' ? [corpus] : corpus;
  const total = Array.isArray(texts) ? texts.reduce((n: number, t: string) => n + t.length, 0) : undefined;
  const counts = new Map<string, number>();
  const count = (piece: string) => counts.set(piece, (counts.get(piece) ?? 0) + 1);
  let done = 0;
  let reported = 0;
  for (const text of texts) {
    specials.split(
      text,
      allowed,
      (segment) => pre.forEach(segment, count),
      () => {},
    );
    done += text.length;
    if (options.onProgress && done - reported >= 1 << 20) {
      options.onProgress({ phase: 'count', done, total });
      reported = done;
    }
  }
  options.onProgress?.({ phase: 'count', done, total });
  return counts;
}

/**
 * Learns byte-level BPE merges: counts the corpus's pieces once, then repeatedly merges the most
 * frequent adjacent pair (ties: the smallest ids), updating pair counts only in the words that
 * contain the merged pair and keeping candidates in a lazily updated heap. Merged tokens get ids
 * 256, 257, … in merge order, so ids are tiktoken ranks.
 */
export function trainBPE(corpus: string | Iterable<string>, options: BPETrainOptions): BPETokenizerOptions {
  const specialTexts = options.specialTokens ?? [];
  const wanted = options.vocabSize - 256 - specialTexts.length;
  if (!Number.isInteger(options.vocabSize) || wanted < 0) {
    throw new TokenizerError(
      `BPETokenizer.train: vocabSize must be an integer >= 256 + ${specialTexts.length} special tokens, got ${options.vocabSize}`,
    );
  }
  const minFrequency = Math.max(1, options.minFrequency ?? 2);
  const counts = countPieces(corpus, options);

  // Words: the unique pieces, each a shrinking array of token ids with its count.
  const words: Int32Array[] = [];
  const lengths: number[] = [];
  const freq: number[] = [];
  for (const [piece, c] of counts) {
    const bytes = utf8Encode(piece);
    if (bytes.length < 2) continue;
    words.push(Int32Array.from(bytes));
    lengths.push(bytes.length);
    freq.push(c);
  }

  const K = options.vocabSize;
  const pairCounts = new Map<number, number>();
  const where = new Map<number, number[]>();
  const addPairs = (w: number, sign: number, onlyWith: number) => {
    const s = words[w]!;
    for (let i = 0; i + 1 < lengths[w]!; i++) {
      const key = s[i]! * K + s[i + 1]!;
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * freq[w]!);
      if (sign > 0 && (onlyWith < 0 || s[i] === onlyWith || s[i + 1] === onlyWith)) {
        const list = where.get(key);
        if (list === undefined) where.set(key, [w]);
        else if (list[list.length - 1] !== w) list.push(w);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1, -1);
  const heap = new MinHeap(pairCounts.size);
  for (const [key, c] of pairCounts) heap.push(-c, key);

  const tokens: Uint8Array[] = [];
  const byBinary = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    tokens.push(Uint8Array.of(b));
    byBinary.set(String.fromCharCode(b), b);
  }
  const seen = new Int32Array(words.length).fill(-1);
  let step = 0;
  const reportEvery = Math.max(1, Math.ceil(wanted / 200));
  while (tokens.length - 256 < wanted && heap.size > 0) {
    const key = heap.topSecondary;
    const c = -heap.topPrimary;
    heap.pop();
    if (pairCounts.get(key) !== c) continue; // stale entry: the count changed since it was pushed
    if (c < minFrequency) break;
    const a = Math.floor(key / K);
    const b = key - a * K;
    const merged = new Uint8Array(tokens[a]!.length + tokens[b]!.length);
    merged.set(tokens[a]!);
    merged.set(tokens[b]!, tokens[a]!.length);
    const binary = bytesToBinary(merged);
    // Two merge paths can spell the same bytes ("ab"+"c", "a"+"bc"): they share one token.
    let id = byBinary.get(binary);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(merged);
      byBinary.set(binary, id);
    }
    const touched = new Set<number>();
    const list = where.get(key) ?? [];
    where.delete(key);
    for (const w of list) {
      if (seen[w] === step) continue;
      seen[w] = step;
      const s = words[w]!;
      const n = lengths[w]!;
      let found = false;
      for (let i = 0; i + 1 < n && !found; i++) found = s[i] === a && s[i + 1] === b;
      if (!found) continue;
      addPairs(w, -1, -1);
      for (let i = 0; i + 1 < n; i++) touched.add(s[i]! * K + s[i + 1]!);
      let m = 0;
      for (let i = 0; i < n; i++) {
        if (i + 1 < n && s[i] === a && s[i + 1] === b) {
          s[m++] = id;
          i++;
        } else s[m++] = s[i]!;
      }
      lengths[w] = m;
      addPairs(w, 1, id);
      for (let i = 0; i + 1 < m; i++) touched.add(s[i]! * K + s[i + 1]!);
    }
    for (const t of touched) {
      const tc = pairCounts.get(t)!;
      if (tc > 0) heap.push(-tc, t);
      else pairCounts.delete(t);
    }
    step++;
    if (options.onProgress && step % reportEvery === 0) {
      options.onProgress({ phase: 'merge', done: tokens.length - 256, total: wanted });
    }
  }
  options.onProgress?.({ phase: 'merge', done: tokens.length - 256, total: wanted });
  const specialTokens: Record<string, number> = {};
  specialTexts.forEach((t, i) => {
    specialTokens[t] = tokens.length + i;
  });
  return { tokens, pattern: options.pattern ?? GPT2_PATTERN, specialTokens };
}
