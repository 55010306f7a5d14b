import { afterAll, describe, expect, it } from 'vitest';
import { allocStorage, type DType, type TypedArray } from '../../dtype.js';
import { ShapeError } from '../../errors.js';
import { randomF32 } from '../../testing/conformance/helpers.js';
import type { ReduceOp } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { elementwiseKernels } from './elementwise.js';
import { testRuntime } from './test-runtime.js';

const runtime = await testRuntime('WebGPU reduce kernel');
afterAll(() => runtime?.device.destroy());

const OPS: ReduceOp[] = ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'];

/**
 * [outer, inner] blocks that take every path: one thread per row (inner <= 4), a few threads per row,
 * a workgroup per row, rows split into chunks and combined by a second pass ([1, 20000], [7, 100003]),
 * many short rows, and empty rows or no rows.
 */
const SHAPES: [number, number][] = [
  [1, 1],
  [1000, 3],
  [70000, 2],
  [2, 17],
  [5, 65],
  [3, 127],
  [2, 5000],
  [1, 20000],
  [7, 100003],
  [4, 0],
  [0, 5],
  [3, 3],
];

/** Rows with NaN, ±∞, repeated extremes (first index wins), signed zeros and subnormals sprinkled in. */
function floatRows(outer: number, inner: number, seed: number, lo: number, hi: number): Float32Array {
  const x = randomF32(outer * inner, seed, lo, hi);
  for (let r = 0; r < outer && inner > 3; r++) {
    const row = r * inner;
    x[row + ((r * 7) % inner)] = x[row + ((r * 11 + 1) % inner)]!;
    if (r % 3 === 1) x[row + ((r * 5) % inner)] = Number.NaN;
    if (r % 4 === 2) x[row + 2] = Number.POSITIVE_INFINITY;
    if (r % 5 === 3) x.fill(-0, row, row + 2).fill(0, row + 2, row + 3);
    if (r % 6 === 4) x[row + 1] = 1e-40;
  }
  return x;
}

describe.runIf(runtime)('webgpu reduce kernel', () => {
  const rt = runtime!;
  const kernels = elementwiseKernels(rt);
  const { reduce } = kernels;

  /** `op` over the rows of `x` on the GPU and in the reference, exactly equal (NaN = NaN, −0 = 0). */
  async function expectReduce(op: ReduceOp, x: TypedArray, out: DType, outer: number, inner: number) {
    const expected = allocStorage(out, outer);
    jsBackend.reduce(op, x, expected, outer, inner);
    const actual = rt.alloc(out, outer);
    reduce(op, rt.upload(x), actual, outer, inner);
    const got = [...(await rt.readAsync(actual))];
    expect(got, `${op} ${x.constructor.name} [${outer}, ${inner}] → ${out}`).toEqual([...expected]);
  }

  for (const op of OPS) {
    it(`${op} of float32 rows on every path equals the reference exactly`, async () => {
      // products of values near 1 stay finite over long rows; sums add as in float64, then round once
      const [lo, hi] = op === 'prod' ? [0.5, 1.9] : [-2, 2];
      const out = op === 'argmax' || op === 'argmin' ? 'int32' : 'float32';
      for (const [outer, inner] of SHAPES)
        await expectReduce(op, floatRows(outer, inner, outer + inner, lo, hi), out, outer, inner);
    });
  }

  it('int32 sums and products wrap; max, min and the arg ops of int32 and bool', async () => {
    for (const [outer, inner] of SHAPES) {
      const ints = Int32Array.from({ length: outer * inner }, (_, i) => ((i * 7919) % 23) - 11);
      const bools = Uint8Array.from({ length: outer * inner }, (_, i) => ((i * 31) % 7 === 0 ? 1 : 0));
      for (const op of OPS) {
        await expectReduce(op, ints, 'int32', outer, inner);
        await expectReduce(op, bools, op === 'max' || op === 'min' ? 'bool' : 'int32', outer, inner);
      }
    }
    const large = Int32Array.of(2147483647, 1, -2147483648, -1, 65536, 65536, 3, 5);
    await expectReduce('sum', large, 'int32', 2, 4);
    await expectReduce('prod', large, 'int32', 2, 4);
  });

  it('float sums and products carried past float32 precision and range, rounded once', async () => {
    // partial sums 10^5 times the result still round as the reference's float64 sum does
    const cancelling = Float32Array.of(1e5, 1, -1e5, 1e-3, 3e4, -3e4, 0.5, 0.25);
    await expectReduce('sum', cancelling, 'float32', 1, 8);
    await expectReduce(
      'sum',
      Float32Array.of(3e38, 3e38, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1),
      'float32',
      2,
      3,
    );
    const spread = Float32Array.of(
      1e30,
      1e30,
      1e-30,
      1e-30,
      3e38,
      3e38,
      1e-38,
      1e-38,
      1e-20,
      1e-20,
      1e-20,
      0,
    );
    await expectReduce('prod', spread, 'float32', 3, 4);
    await expectReduce(
      'prod',
      Float32Array.of(0, Number.POSITIVE_INFINITY, -2, -0, 3, Number.NEGATIVE_INFINITY),
      'float32',
      2,
      3,
    );
  });

  it('ties go to the first index: −0 before 0, the first of repeated maxima, the first NaN', async () => {
    // toEqual compares with Object.is, so a +0 for the first row's −0 would fail
    const x = Float32Array.of(-0, 0, 0, -0, 5, 5, -1, 5, Number.NaN, 3, Number.NaN, 9);
    for (const op of OPS.slice(2))
      await expectReduce(op, x, op.startsWith('arg') ? 'int32' : 'float32', 3, 4);
  });

  it('throws a ShapeError for storages shorter than [outer, inner] or an output that is the input', () => {
    const x = rt.upload(new Float32Array(10));
    expect(() => reduce('sum', x, rt.alloc('float32', 3), 3, 4)).toThrow(ShapeError);
    expect(() => reduce('sum', x, rt.alloc('float32', 1), 2, 5)).toThrow(
      'webgpu reduce sum: [2, 5] needs 10 inputs and 2 outputs, got 10 and 1',
    );
    expect(() => reduce('max', x, x, 2, 5)).toThrow('webgpu reduce max: out is the input storage');
  });
});
