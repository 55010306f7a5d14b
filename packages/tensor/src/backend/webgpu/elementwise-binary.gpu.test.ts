import { afterAll, describe, expect, it } from 'vitest';
import { allocStorage, type DType, type TypedArray } from '../../dtype.js';
import { contiguousStrides } from '../../shape.js';
import { describeMismatch, firstMismatch, randomF32 } from '../../testing/conformance/helpers.js';
import type { BinaryOp, StridedView } from '../backend.js';
import { jsBackend } from '../js/index.js';
import type { DeviceMemory } from '../memory.js';
import { elementwiseKernels } from './elementwise.js';
import { testRuntime } from './test-runtime.js';

const runtime = await testRuntime('WebGPU binary and where kernel');
afterAll(() => runtime?.device.destroy());

const OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'];
const LOGIC: BinaryOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr'];

/** A view of `shape` over seeded storage: broadcast along `zeroAxes`, or with its axes reversed, after `pad` elements. */
function view(shape: number[], seed: number, zeroAxes: number[] = [], reversed = false): StridedView {
  const own = shape.map((d, i) => (zeroAxes.includes(i) ? 1 : d));
  const strides = reversed ? contiguousStrides([...own].reverse()).reverse() : contiguousStrides(own);
  const data = randomF32(3 + own.reduce((p, d) => p * d, 1), seed, -3, 3);
  for (let i = 3; i < data.length; i += 7) data[i] = 0; // zeros for div, pow and comparisons
  if (data.length > 6) data[6] = Number.NaN;
  return { data, offset: 3, strides: strides.map((s, i) => (zeroAxes.includes(i) ? 0 : s)) };
}

/** Shapes with the layouts of both operands: same, broadcast either way, transposed, 0-d, rank 5, empty. */
const CASES: [number[], StridedView, StridedView][] = [
  [[1], view([1], 1), view([1], 2)],
  [[127], view([127], 3), view([127], 4)],
  [[17, 65], view([17, 65], 5), view([17, 65], 6, [0])],
  [[17, 65], view([17, 65], 7, [1]), view([17, 65], 8)],
  [[9, 13], view([9, 13], 9, [], true), view([9, 13], 10)],
  [[2, 3, 5, 7], view([2, 3, 5, 7], 11), view([2, 3, 5, 7], 12, [1])],
  [[3, 2, 4, 2, 3], view([3, 2, 4, 2, 3], 13, [], true), view([3, 2, 4, 2, 3], 14, [0, 3])],
  [[], view([], 15), view([], 16)],
  [[4, 0, 3], view([4, 0, 3], 17), view([4, 0, 3], 18)],
];

const SPECIALS = [0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, 2.5, -2.5, 1e-40, 1.0000001, 0.9999999, 1e30, 1e-30];
SPECIALS.push(16777217, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);

describe.runIf(runtime)('webgpu binary and where kernels', () => {
  const rt = runtime!;
  const kernels = elementwiseKernels(rt);
  const onDevice = (v: StridedView): StridedView<DeviceMemory> => ({ ...v, data: rt.upload(v.data) });

  /** `op` on the GPU and in the reference, compared exactly (NaN matches NaN, ±0 compare equal). */
  async function expectBinary(op: BinaryOp, a: StridedView, b: StridedView, shape: number[], out: DType) {
    const size = shape.reduce((p, d) => p * d, 1);
    const expected = allocStorage(out, size);
    jsBackend.binary(op, a, b, expected, shape);
    const actual = rt.alloc(out, size);
    kernels.binary(op, onDevice(a), onDevice(b), actual, shape);
    const got = await rt.readAsync(actual);
    const i = firstMismatch(got, expected, 0, 0);
    expect(
      i,
      `${op} [${shape}] ${a.data.constructor.name}, ${b.data.constructor.name} → ${out}: ${describeMismatch(i, got, expected)}`,
    ).toBe(-1);
  }

  /** Every pair of `xs` (a along rows, b along columns) as flat operands of `da` and `db`. */
  function pairs(
    xs: readonly number[],
    ys: readonly number[],
    da: DType,
    db: DType,
  ): [StridedView, StridedView] {
    const a = allocStorage(da, xs.length * ys.length);
    const b = allocStorage(db, xs.length * ys.length);
    xs.forEach((x, i) => {
      ys.forEach((y, j) => {
        a[i * ys.length + j] = x;
        b[i * ys.length + j] = y;
      });
    });
    return [
      { data: a, offset: 0, strides: [1] },
      { data: b, offset: 0, strides: [1] },
    ];
  }

  for (const op of [...OPS, ...LOGIC]) {
    it(`${op} over same-shaped, broadcast, transposed, offset, 0-d, rank-5 and empty float32 views`, async () => {
      for (const [shape, a, b] of CASES)
        await expectBinary(op, a, b, shape, LOGIC.includes(op) ? 'bool' : 'float32');
    });
  }

  it('every op on every pair of special floats, as JavaScript computes it (pow per ECMAScript **)', async () => {
    const [a, b] = pairs(SPECIALS, SPECIALS, 'float32', 'float32');
    for (const op of [...OPS, ...LOGIC])
      await expectBinary(op, a, b, [a.data.length], LOGIC.includes(op) ? 'bool' : 'float32');
  });

  it('pow is correctly rounded: positive bases to random and integral exponents, exact integer powers', async () => {
    const x = randomF32(50000, 21, 0, 4);
    const y = randomF32(50000, 22, -8, 8).map((v, i) => (i % 3 === 0 ? Math.round(v) : v));
    await expectBinary(
      'pow',
      { data: x, offset: 0, strides: [1] },
      { data: y, offset: 0, strides: [1] },
      [50000],
      'float32',
    );
    // 31^5 = 28629151 ties between two floats and rounds to even, as float64-then-float32 does
    const [a, b] = pairs(
      [2, 3, 7, 10, 31, 0.1, 1.5, 1e10],
      [3, 4, 5, 7, 10, 12, 40, -3, -7, 64],
      'float32',
      'float32',
    );
    await expectBinary('pow', a, b, [a.data.length], 'float32');
  });

  it('int32 arithmetic wraps as the reference stores float64 results (products rounded past 2^53)', async () => {
    const ints = [0, 1, -1, 2, -3, 7, 46341, -65536, 94906267, 123456789, 2147483647, -2147483648];
    const [a, b] = pairs(ints, ints, 'int32', 'int32');
    for (const op of ['add', 'sub', 'mul', 'maximum', 'minimum', 'div', ...LOGIC] as BinaryOp[])
      await expectBinary(op, a, b, [a.data.length], LOGIC.includes(op) ? 'bool' : 'int32');
    // powers below 2^53 exactly, from 2^84 on 0 (the float64 power is a multiple of 2^32 or ∞)
    const [base, exponent] = pairs(
      [0, 1, -1, 2, -2, 3, -7, 10],
      [-3, -1, 0, 1, 2, 5, 13, 31, 32, 100],
      'int32',
      'int32',
    );
    await expectBinary('pow', base, exponent, [base.data.length], 'int32');
  });

  it('mixed dtypes as the op layer promotes them: bool → int32, int32 with float32 → float32, any comparison → bool', async () => {
    const floats = [0, -0, 1, -1, 2.5, -3.75, 0.5, 7, -7, 4096, 1e-40, Number.NaN, Number.POSITIVE_INFINITY];
    const ints = [0, 1, -1, 2, -3, 7, 16777, -1677, 65536, -98765, 100000];
    const bools = [0, 1];
    const values: Record<string, number[]> = { float32: floats, int32: ints, bool: bools };
    for (const [da, db] of [
      ['int32', 'float32'],
      ['float32', 'bool'],
      ['bool', 'int32'],
      ['bool', 'bool'],
    ] as [DType, DType][]) {
      const [a, b] = pairs(values[da]!, values[db]!, da, db);
      const out: DType = da === 'float32' || db === 'float32' ? 'float32' : 'int32';
      for (const op of OPS)
        await expectBinary(op, a, b, [a.data.length], op === 'div' || op === 'pow' ? 'float32' : out);
      for (const op of LOGIC) await expectBinary(op, a, b, [a.data.length], 'bool');
    }
  });

  it('compares int32 with float32 exactly, also past 2^24 where the int32 rounds', async () => {
    const ints = [16777216, 16777217, -16777217, 2147483647, -2147483648, 123456789, 3];
    const floats = [
      16777216,
      16777218,
      -16777216,
      2147483648,
      -2147483648,
      123456792,
      3,
      Number.NaN,
      -Number.POSITIVE_INFINITY,
    ];
    const [a, b] = pairs(ints, floats, 'int32', 'float32');
    for (const op of LOGIC) await expectBinary(op, a, b, [a.data.length], 'bool');
    for (const op of LOGIC) await expectBinary(op, b, a, [a.data.length], 'bool');
  });

  it('where over broadcast, transposed and offset views, with bool, int32 and float32 conditions', async () => {
    for (const [shape, a, b] of CASES) {
      const size = shape.reduce((p, d) => p * d, 1);
      const c = view(
        shape,
        31,
        [shape.length - 1].filter((d) => d > 0),
      );
      for (const cond of [
        c,
        { ...c, data: Uint8Array.from(c.data, (v) => (v > 0 ? 1 : 0)) },
        { ...c, data: Int32Array.from(c.data, (v) => Math.trunc(v)) },
      ]) {
        const expected = new Float32Array(size);
        jsBackend.where(cond, a, b, expected, shape);
        const actual = rt.alloc('float32', size);
        kernels.where(onDevice(cond), onDevice(a), onDevice(b), actual, shape);
        expect([...(await rt.readAsync(actual))]).toEqual([...expected]);
      }
    }
    // operands of narrower dtypes are converted to the output's
    const cond = Uint8Array.of(1, 0, 1, 0);
    const [x, y] = [Int32Array.of(-7, 8, 2147483647, 0), Uint8Array.of(1, 1, 0, 0)];
    const actual = rt.alloc('float32', 4);
    const flat = (data: TypedArray): StridedView => ({ data, offset: 0, strides: [1] });
    kernels.where(onDevice(flat(cond)), onDevice(flat(x)), onDevice(flat(y)), actual, [4]);
    expect([...(await rt.readAsync(actual))]).toEqual([-7, 1, 2147483648, 0]);
  });
});
