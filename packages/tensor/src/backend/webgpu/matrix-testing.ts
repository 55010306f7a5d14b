import { randomF32 } from '../../testing/conformance/helpers.js';
import type { MatrixBatch } from '../backend.js';

/** How {@link randomMatrices} stores each matrix. */
export type MatrixLayout = 'rowMajor' | 'transposed' | 'spread';

/** Options of {@link randomMatrices}. */
export interface MatrixOptions {
  /** Row-major, transposed (column-major), or spread: row-major with every third element used. */
  layout?: MatrixLayout;
  /** One stored matrix read by every batch entry. */
  broadcast?: boolean;
  /** Elements before the first matrix. */
  pad?: number;
  /** Elements between consecutive matrices. */
  gap?: number;
  lo?: number;
  hi?: number;
}

/**
 * `count` seeded random `[rows, cols]` matrices in host memory, read in place through a
 * {@link MatrixBatch}: test support for the matmul and attention kernels' `*.gpu.test.ts` files.
 */
export function randomMatrices(
  count: number,
  rows: number,
  cols: number,
  seed: number,
  options: MatrixOptions = {},
): MatrixBatch & { data: Float32Array } {
  const { layout = 'rowMajor', broadcast = false, pad = 0, gap = 0, lo = -1, hi = 1 } = options;
  const step = layout === 'spread' ? 3 : 1;
  const size = rows * cols * step + gap;
  const data = randomF32(pad + (broadcast ? 1 : count) * size, seed, lo, hi);
  const offsets = Int32Array.from({ length: count }, (_, b) => pad + (broadcast ? 0 : b) * size);
  const [rowStride, colStride] = layout === 'transposed' ? [1, rows] : [cols * step, step];
  return { data, offsets, rowStride, colStride };
}
