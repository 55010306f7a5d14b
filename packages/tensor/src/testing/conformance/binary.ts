import { expect } from 'vitest';
import type { BinaryOp, ReduceOp, StridedView } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import type { AnyBackend } from '../../backend/registry.js';
import { allocStorage, type TypedArray } from '../../dtype.js';
import { contiguousStrides } from '../../shape.js';
import { holds, runKernel } from './harness.js';
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

/** `out = op(a, b)` over `shape` on `backend`, read back. */
async function runBinary(
  backend: AnyBackend,
  op: BinaryOp,
  a: StridedView,
  b: StridedView,
  out: TypedArray,
  shape: number[],
): Promise<TypedArray> {
  const args = { a, b, out };
  const result = await runKernel(backend, args, ['out'], (d) => backend.binary(op, d.a, d.b, d.out, shape));
  return result.out;
}

/** Registers the conformance tests of binary, where, copy and reduce kernels for `backend`. */
export function binaryConformance({ describe, it }: TestApi, backend: AnyBackend): void {
  describe('binary, where, copy and reduce', () => {
    for (const op of OPS) {
      it(`${op} over same-shaped, broadcast and strided float32 operands`, async () => {
        for (const [c, { shape, a, b }] of CASES.entries()) {
          const va = view(shape, 3 * c + 1, a);
          const vb = view(shape, 3 * c + 2, b);
          const size = shape.reduce((p, d) => p * d, 1);
          const make = () => (COMPARISONS.has(op) ? new Uint8Array(size) : new Float32Array(size));
          const expected = make();
          jsBackend.binary(op, va, vb, expected, shape);
          const actual = await runBinary(backend, op, va, vb, make(), shape);
          const i = firstMismatch(actual, expected, 0, 0);
          expect(i, `${op} case ${c}: ${describeMismatch(i, actual, expected)}`).toBe(-1);
        }
      });
    }

    /** float32 (or float64) rows with int32 operands broadcast along them, as the op layer mixes dtypes. */
    const mixed = (float: 'float32' | 'float64') => async () => {
      const shape = [4, 5];
      const values = randomF32(20, 1);
      const data = float === 'float32' ? values : Float64Array.from(values);
      const a: StridedView = { data, offset: 0, strides: [5, 1] };
      const b: StridedView = { data: Int32Array.from([1, -2, 3, 0, 5]), offset: 0, strides: [0, 1] };
      for (const op of ['add', 'mul', 'maximum'] as const) {
        const [expected, out] = [data.map(() => 0), data.map(() => 0)];
        jsBackend.binary(op, a, b, expected, shape);
        const actual = await runBinary(backend, op, a, b, out, shape);
        expect([...actual], `${op} of ${float} and int32`).toEqual([...expected]);
      }
    };
    it('float32 and int32 operands (add, mul, maximum) match the reference exactly', mixed('float32'));
    if (holds(backend, 'float64'))
      it('float64 and int32 operands (add, mul, maximum) match the reference exactly', mixed('float64'));

    it('where over broadcast and strided operands (bool and float conditions)', async () => {
      for (const [c, { shape, a, b }] of CASES.entries()) {
        const size = shape.reduce((p, d) => p * d, 1);
        const cv = view(shape, 3 * c + 3, b);
        const cond = { ...cv, data: Uint8Array.from(cv.data, (v) => (v > 0 ? 1 : 0)) };
        for (const condition of [cond, cv]) {
          const args = { condition, a: view(shape, 3 * c + 1, a), b: view(shape, 3 * c + 2, {}) };
          const expected = new Float32Array(size);
          jsBackend.where(args.condition, args.a, args.b, expected, shape);
          const { out: actual } = await runKernel(
            backend,
            { ...args, out: new Float32Array(size) },
            ['out'],
            (d) => backend.where(d.condition, d.a, d.b, d.out, shape),
          );
          const i = firstMismatch(actual, expected, 0, 0);
          expect(i, `where case ${c}: ${describeMismatch(i, actual, expected)}`).toBe(-1);
        }
      }
    });

    const outputDTypes = (['float32', 'float64', 'int32', 'bool'] as const).filter((d) => holds(backend, d));
    it(`copy of permuted, transposed, broadcast and offset views into ${outputDTypes.join(', ')}`, async () => {
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
      for (const [c, [shape, strides, offset]] of layouts.entries()) {
        const src: StridedView = { data: randomF32(400, c), offset, strides };
        const size = shape.reduce((p, d) => p * d, 1);
        for (const dtype of outputDTypes) {
          const expected = allocStorage(dtype, size);
          jsBackend.copy(src, expected, shape);
          const { out } = await runKernel(backend, { src, out: allocStorage(dtype, size) }, ['out'], (d) =>
            backend.copy(d.src, d.out, shape),
          );
          expect([...out], `copy case ${c} into ${dtype}`).toEqual([...expected]);
        }
      }
    });

    if (backend.copyInto)
      it('copyInto writes views into strided destinations in every held dtype, leaving the rest', async () => {
        // [shape, source strides, source offset, destination strides, destination offset] over 400 elements
        const layouts: [number[], number[], number, number[], number][] = [
          [[6, 11], [11, 1], 0, [1, 6], 3], // into a transpose
          [[3, 4, 5], [20, 5, 1], 2, [40, 5, 1], 100], // into a slab of a larger tensor (a split's gradient)
          [[4, 5], [0, 1], 1, [10, 2], 7], // a broadcast source into a stepped destination
          [[17], [3], 5, [2], 1],
        ];
        for (const [c, [shape, srcStrides, srcOffset, dstStrides, dstOffset]] of layouts.entries()) {
          const src: StridedView = { data: randomF32(400, c + 40), offset: srcOffset, strides: srcStrides };
          for (const dtype of outputDTypes) {
            const start = allocStorage(dtype, 400).fill(7);
            const expected = start.slice();
            jsBackend.copyInto!(src, { data: expected, offset: dstOffset, strides: dstStrides }, shape);
            const { out } = await runKernel(backend, { src, out: start }, ['out'], (d) =>
              backend.copyInto!(d.src, { data: d.out, offset: dstOffset, strides: dstStrides }, shape),
            );
            expect([...out], `copyInto case ${c} into ${dtype}`).toEqual([...expected]);
          }
        }
      });

    for (const op of ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'] as ReduceOp[]) {
      it(`reduce ${op} of float32 rows (odd lengths, NaN rows)`, async () => {
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
          jsBackend.reduce(op, x, expected, outer, inner);
          const actual = await runReduce(backend, op, x, new Float32Array(outer), outer, inner);
          const tol = op === 'sum' ? 1e-6 : 0;
          const i = firstMismatch(actual, expected, tol, tol);
          expect(i, `${op} [${outer}, ${inner}]: ${describeMismatch(i, actual, expected)}`).toBe(-1);
        }
      });
    }

    const reduceDTypes = (['float64', 'int32'] as const).filter((d) => holds(backend, d));
    it(`reduce sum, max, min of ${reduceDTypes.join(' and ')} match the reference exactly`, async () => {
      const inputs = {
        float64: Float64Array.from(randomF32(30, 9)),
        int32: Int32Array.from({ length: 30 }, (_, i) => (i * 7) % 11),
      };
      for (const op of ['sum', 'max', 'min'] as const)
        for (const dtype of reduceDTypes) {
          const x = inputs[dtype];
          const expected = allocStorage(dtype, 3);
          jsBackend.reduce(op, x, expected, 3, 10);
          const actual = await runReduce(backend, op, x, allocStorage(dtype, 3), 3, 10);
          expect([...actual], `${op} of ${dtype}`).toEqual([...expected]);
        }
    });
  });
}

/** Reduces each row of `x` `[outer, inner]` on `backend`, read back. */
async function runReduce(
  backend: AnyBackend,
  op: ReduceOp,
  x: TypedArray,
  out: TypedArray,
  outer: number,
  inner: number,
): Promise<TypedArray> {
  const result = await runKernel(backend, { x, out }, ['out'], (d) =>
    backend.reduce(op, d.x, d.out, outer, inner),
  );
  return result.out;
}
