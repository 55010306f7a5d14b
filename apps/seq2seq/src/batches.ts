import { type Generator, randperm, type Tensor, tensor } from '@proj/tensor';

/** A training pair as ids: the source, and the target without start and end tokens. */
export interface EncodedPair {
  src: number[];
  tgt: number[];
}

/** Ids the batches need. */
export interface SpecialIds {
  padId: number;
  bosId: number;
  eosId: number;
}

/** A padded batch: int32 `src` `[B, S]`, `tgtIn` (BOS + target) and `tgtOut` (target + EOS) `[B, T]`. */
export interface Batch {
  src: Tensor;
  tgtIn: Tensor;
  tgtOut: Tensor;
  /** Real (not padding) source and target tokens, the unit of tokens/s. */
  tokens: number;
}

/** Rows padded at the end to the longest one. */
export function padRows(rows: readonly number[][], padId: number): Tensor {
  const width = Math.max(1, ...rows.map((r) => r.length));
  const data = new Int32Array(rows.length * width).fill(padId);
  rows.forEach((row, i) => data.set(row, i * width));
  return tensor(data, { shape: [rows.length, width], dtype: 'int32' });
}

/** Pads `pairs` into one batch for teacher forcing. */
export function makeBatch(pairs: readonly EncodedPair[], ids: SpecialIds): Batch {
  return {
    src: padRows(
      pairs.map((p) => p.src),
      ids.padId,
    ),
    tgtIn: padRows(
      pairs.map((p) => [ids.bosId, ...p.tgt]),
      ids.padId,
    ),
    tgtOut: padRows(
      pairs.map((p) => [...p.tgt, ids.eosId]),
      ids.padId,
    ),
    tokens: pairs.reduce((n, p) => n + p.src.length + p.tgt.length + 1, 0),
  };
}

/**
 * One epoch of batches (indices into `pairs`): a random permutation cut into pools of 50 batches,
 * each pool sorted by source length and cut into batches, so rows of a batch have similar lengths
 * (little padding) and the order stays random.
 */
export function epochBatches(
  pairs: readonly EncodedPair[],
  batchSize: number,
  generator: Generator,
): number[][] {
  const order = Array.from(randperm(pairs.length, { generator }).data());
  const pool = 50 * batchSize;
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += pool) {
    const sorted = order
      .slice(start, start + pool)
      .sort((a, b) => pairs[a]!.src.length - pairs[b]!.src.length);
    for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize));
  }
  return batches;
}

/** Indices `0 … n−1` in chunks of `size`, after sorting by `lengthOf` (for evaluation and decoding). */
export function lengthSortedChunks(n: number, size: number, lengthOf: (i: number) => number): number[][] {
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => lengthOf(a) - lengthOf(b));
  const chunks: number[][] = [];
  for (let i = 0; i < n; i += size) chunks.push(order.slice(i, i + size));
  return chunks;
}
