import type { TypedArray } from '../../dtype.js';

/**
 * Reference index-add over contiguous arrays: for each `o < outer` and `i < index.length`, the
 * `inner`-long run `src[(o·index.length + i)·inner …]` is added into
 * `out[(o·size + index[i])·inner …]` (repeated indices accumulate). Indices must lie in `[0, size)`.
 */
export function indexAddRows(
  out: TypedArray,
  src: TypedArray,
  index: Int32Array,
  outer: number,
  size: number,
  inner: number,
): void {
  const n = index.length;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      const to = (o * size + index[i]!) * inner;
      const from = (o * n + i) * inner;
      for (let j = 0; j < inner; j++) out[to + j]! += src[from + j]!;
    }
  }
}
