import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor.js';
import {
  backendNames,
  broadcastElementAt,
  broadcastPairArb,
  elementAt,
  indicesOf,
  stridedOfShapeArb,
  withBackend,
} from '../testing/index.js';
import { matmul } from './matmul.js';

/** A matrix operand `[...batch, rows, cols]` in a random layout, built transposed when `transposed`. */
function operandArb(
  batch: number[],
  rows: number,
  cols: number,
  transposed: boolean,
  dtype: 'float32' | 'float64',
) {
  const stored = transposed ? [...batch, cols, rows] : [...batch, rows, cols];
  return stridedOfShapeArb(stored, { dtype, broadcast: true }).map((t) =>
    transposed ? t.transpose(-2, -1) : t,
  );
}

/** Element (i, j) of batch `b` of a matrix stack that broadcasts against the batch shape. */
const read = (t: Tensor, b: readonly number[], i: number, j: number) => broadcastElementAt(t, [...b, i, j]);

const caseArb = (dtype: 'float32' | 'float64') =>
  fc
    .record({
      batches: broadcastPairArb({ maxRank: 2, maxSize: 3 }),
      m: fc.integer({ min: 1, max: 7 }),
      k: fc.integer({ min: 1, max: 7 }),
      n: fc.integer({ min: 1, max: 7 }),
      ta: fc.boolean(),
      tb: fc.boolean(),
      aVector: fc.boolean(),
      bVector: fc.boolean(),
    })
    .chain(({ batches: [ba, bb], m, k, n, ta, tb, aVector, bVector }) =>
      fc.tuple(
        aVector ? stridedOfShapeArb([k], { dtype }) : operandArb(ba, m, k, ta, dtype),
        bVector ? stridedOfShapeArb([k], { dtype }) : operandArb(bb, k, n, tb, dtype),
      ),
    );

function checkAgainstNaive(a: Tensor, b: Tensor, tolerance: number): void {
  const out = matmul(a, b);
  // The naive side works on 2-D-or-more views: a vector becomes a row (a) or a column (b).
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  const m = a2.shape[a2.ndim - 2]!;
  const k = a2.shape[a2.ndim - 1]!;
  const n = b2.shape[b2.ndim - 1]!;
  const batch = out.shape.slice(0, out.ndim - (a.ndim === 1 ? 0 : 1) - (b.ndim === 1 ? 0 : 1));
  expect(out.shape).toEqual([...batch, ...(a.ndim === 1 ? [] : [m]), ...(b.ndim === 1 ? [] : [n])]);
  const full = out.reshape([...batch, m, n]);
  for (const bi of indicesOf(batch)) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let scale = 0;
        for (let p = 0; p < k; p++) {
          const term = read(a2, bi, i, p) * read(b2, bi, p, j);
          s += term;
          scale += Math.abs(term);
        }
        expect(Math.abs(elementAt(full, [...bi, i, j]) - s)).toBeLessThanOrEqual(tolerance * (scale + 1));
      }
    }
  }
}

describe.each(backendNames())('matmul properties (%s backend)', (backend) => {
  it('float64: every transpose combination, vector operands and batch broadcasting match a triple loop', () => {
    withBackend(backend, () =>
      fc.assert(
        fc.property(caseArb('float64'), ([a, b]) => checkAgainstNaive(a, b, 1e-14)),
        { numRuns: 150 },
      ),
    );
  });

  it('float32: the same within float32 rounding', () => {
    withBackend(backend, () =>
      fc.assert(
        fc.property(caseArb('float32'), ([a, b]) => checkAgainstNaive(a, b, 1e-6)),
        { numRuns: 150 },
      ),
    );
  });
});
