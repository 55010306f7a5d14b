import { expect } from 'vitest';
import type { Backend, BinaryOp, ReduceOp, StridedView } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import { contiguousStrides } from '../../shape.js';
import { describeMismatch, firstMismatch, randomF32 } from './helpers.js';
import type { TestApi } from './test-api.js';

/** Binary elementwise ops, where, copies and reductions (broadcast and strided operands) against the reference. */

const OPS: BinaryOp[] = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'logicalAnd',
  'logicalOr',
];
const COMPARISONS = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr']);

/** A view of `shape` over fresh random storage: contiguous, broadcast along `zeroAxes`, or transposed. */
function view(
  shape: number[],
  seed: number,
  layout: { zeroAxes?: number[]; transposed?: boolean; pad?: number },
): StridedView {
  const { zeroAxes = [], transposed = false, pad = 2 } = layout;
  const own = shape.map((d, i) => (zeroAxes.includes(i) ? 1 : d));
  let strides = contiguousStrides(own);
  if (transposed && own.length >= 2) {
    const rev = contiguousStrides([...own].reverse()).reverse();
    strides = rev;
  }
  strides = strides.map((s, i) => (zeroAxes.includes(i) ? 0 : s));
  const size = own.reduce((p, d) => p * d, 1);
  const data = randomF32(pad + size, seed, -3, 3);
  for (let i = pad; i < data.length; i += 7) data[i] = 0; // zeros for div and comparisons
  if (data.length > pad + 3) data[pad + 3] = Number.NaN;
  return { data, offset: pad, strides };
}

const CASES: { shape: number[]; a: Parameters<typeof view>[2]; b: Parameters<typeof view>[2] }[] = [
  { shape: [1], a: {}, b: {} },
  { shape: [3], a: {}, b: {} },
  { shape: [127], a: {}, b: {} },
  { shape: [17, 65], a: {}, b: { zeroAxes: [0] } },
  { shape: [17, 65], a: { zeroAxes: [1] }, b: {} },
  { shape: [5, 3, 17], a: {}, b: { zeroAxes: [2] } },
  { shape: [4, 33], a: {}, b: { zeroAxes: [0, 1] } },
  { shape: [9, 13], a: { transposed: true }, b: {} },
  { shape: [2, 3, 5, 7], a: {}, b: { zeroAxes: [1] } },
];

/** Registers the conformance tests of binary, where, copy and reduce kernels for `backend`. */
export function binaryConformance({ describe, it }: TestApi, backend: Backend): void {
  describe('binary, where, copy and reduce', () => {
    for (const op of OPS) {
      it(`${op} over same-shaped, broadcast and strided float32 operands`, () => {
        CASES.forEach(({ shape, a, b }, c) => {
          const va = view(shape, 3 * c + 1, a);
          const vb = view(shape, 3 * c + 2, b);
          const size = shape.reduce((p, d) => p * d, 1);
          const make = () => (COMPARISONS.has(op) ? new Uint8Array(size) : new Float32Array(size));
          const expected = make();
          const actual = make();
          jsBackend.binary(op, va, vb, expected, shape);
          backend.binary(op, va, vb, actual, shape);
          const i = firstMismatch(actual, expected, 0, 0);
          expect(i, `${op} case ${c}: ${describeMismatch(i, actual, expected)}`).toBe(-1);
        });
      });
    }

    it('mixed dtypes and float64 match the reference', () => {
      const shape = [4, 5];
      const a: StridedView = { data: Float64Array.from(randomF32(20, 1)), offset: 0, strides: [5, 1] };
      const b: StridedView = { data: Int32Array.from([1, -2, 3, 0, 5]), offset: 0, strides: [0, 1] };
      for (const op of ['add', 'mul', 'maximum'] as const) {
        const expected = new Float64Array(20);
        const actual = new Float64Array(20);
        jsBackend.binary(op, a, b, expected, shape);
        backend.binary(op, a, b, actual, shape);
        expect([...actual]).toEqual([...expected]);
      }
    });

    it('where over broadcast and strided operands (bool and float conditions)', () => {
      CASES.forEach(({ shape, a, b }, c) => {
        const size = shape.reduce((p, d) => p * d, 1);
        const cv = view(shape, 3 * c + 3, b);
        const cond = { ...cv, data: Uint8Array.from(cv.data, (v) => (v > 0 ? 1 : 0)) };
        for (const condition of [cond, cv]) {
          const va = view(shape, 3 * c + 1, a);
          const vb = view(shape, 3 * c + 2, {});
          const expected = new Float32Array(size);
          const actual = new Float32Array(size);
          jsBackend.where(condition, va, vb, expected, shape);
          backend.where(condition, va, vb, actual, shape);
          const i = firstMismatch(actual, expected, 0, 0);
          expect(i, `where case ${c}: ${describeMismatch(i, actual, expected)}`).toBe(-1);
        }
      });
    });

    it('copy of permuted, transposed, broadcast and offset views, every output dtype', () => {
      const layouts: [number[], number[], number][] = [
        // [shape, strides, offset] over a 400-element storage
        [[6, 11], [1, 6], 3], // transpose
        [[3, 4, 5], [20, 1, 4], 0], // permute (0, 2, 1)
        [[2, 3, 4, 5], [60, 5, 15, 1], 7], // permute (0, 2, 1, 3): inner rows contiguous
        [[4, 5, 6], [0, 6, 1], 1], // broadcast leading axis
        [[5, 7], [7, 0], 2], // broadcast inner axis
        [[2, 3, 2, 2, 3], [90, 30, 15, 5, 1], 0], // stepped: 5 axes that merge to fewer
        [[3, 2, 2, 2, 2], [1, 3, 6, 12, 24], 0], // 5 axes that do not merge (JS path)
        [[17], [3], 5], // stepped 1-D
        [[65], [1], 9], // one contiguous run
      ];
      layouts.forEach(([shape, strides, offset], c) => {
        const src: StridedView = { data: randomF32(400, c), offset, strides };
        const size = shape.reduce((p, d) => p * d, 1);
        for (const make of [
          () => new Float32Array(size),
          () => new Float64Array(size),
          () => new Int32Array(size),
          () => new Uint8Array(size),
        ]) {
          const [expected, out] = [make(), make()];
          jsBackend.copy(src, expected, shape);
          backend.copy(src, out, shape);
          expect([...out], `copy case ${c}`).toEqual([...expected]);
        }
      });
    });

    for (const op of ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'] as ReduceOp[]) {
      it(`reduce ${op} of float32 rows (odd lengths, NaN rows)`, () => {
        for (const [outer, inner] of [
          [1, 1],
          [3, 3],
          [2, 17],
          [5, 65],
          [3, 127],
          [2, 5000],
        ] as const) {
          const x = randomF32(outer * inner, outer + inner, -2, 2);
          if (outer > 2) x[inner + 1] = Number.NaN;
          const expected = new Float32Array(outer);
          const actual = new Float32Array(outer);
          jsBackend.reduce(op, x, expected, outer, inner);
          backend.reduce(op, x, actual, outer, inner);
          const tol = op === 'sum' ? 1e-6 : 0;
          const i = firstMismatch(actual, expected, tol, tol);
          expect(i, `${op} [${outer}, ${inner}]: ${describeMismatch(i, actual, expected)}`).toBe(-1);
        }
      });
    }

    it('reduce of float64 and int32 matches the reference exactly', () => {
      const x64 = Float64Array.from(randomF32(30, 9));
      const xi = Int32Array.from({ length: 30 }, (_, i) => (i * 7) % 11);
      for (const op of ['sum', 'max', 'min'] as const) {
        for (const [x, out, ref] of [
          [x64, new Float64Array(3), new Float64Array(3)],
          [xi, new Int32Array(3), new Int32Array(3)],
        ] as const) {
          jsBackend.reduce(op, x, ref, 3, 10);
          backend.reduce(op, x, out, 3, 10);
          expect([...out]).toEqual([...ref]);
        }
      }
    });
  });
}
