import { afterAll, describe, expect, it } from 'vitest';
import { allocStorage, type DType } from '../../dtype.js';
import { DeviceMemoryError, ShapeError } from '../../errors.js';
import { describeMismatch, firstMismatch, randomF32 } from '../../testing/conformance/helpers.js';
import type { StridedView, UnaryOp } from '../backend.js';
import { jsBackend } from '../js/index.js';
import type { DeviceMemory } from '../memory.js';
import { elementwiseKernels } from './elementwise.js';
import { testRuntime } from './test-runtime.js';

const runtime = await testRuntime('WebGPU unary and copy kernel');
afterAll(() => runtime?.device.destroy());

/**
 * Relative tolerance of each float op against the reference: 0 where the float32 result is correctly
 * rounded (the reference rounds a float64 result once), else 1e-5 with 1e-7 absolute, the conformance
 * suite's bound for approximations (elementwise-math.gpu.test.ts checks those to a few ulp).
 */
const RTOL: Record<Exclude<UnaryOp, 'logicalNot'>, number> = {
  neg: 0,
  abs: 0,
  relu: 0,
  sign: 0,
  square: 0,
  sqrt: 0,
  reciprocal: 0,
  floor: 0,
  ceil: 0,
  round: 0,
  exp: 1e-5,
  log: 1e-5,
  rsqrt: 1e-5,
  tanh: 1e-5,
  sigmoid: 1e-5,
  gelu: 1e-5,
  geluTanh: 1e-5,
  silu: 1e-5,
  erf: 1e-5,
  sin: 1e-5,
  cos: 1e-5,
};

/** Signed zeros, NaN, ±∞, subnormals, tiny, halves, exp's and log's range ends, huge, past 2^23 and 2^24. */
const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 1e-7, -1e-7, 0.5, -0.5, 1.5, 2.5, -2.5];
SPECIAL.push(88.7, 89, -87.5, -104, -200, 3e38, -3e38, 8388609.5, 16777217);

/** Seeded values over many magnitudes (as the conformance suite draws them), then the special values. */
function inputs(n: number, seed: number): Float32Array {
  const x = randomF32(n + SPECIAL.length, seed, -8, 8);
  const scale = randomF32(n, seed + 1, -3, 3);
  for (let i = 0; i < n; i++) x[i] = x[i]! * 10 ** scale[i]!;
  x.set(SPECIAL, n);
  return x;
}

/** The layouts of the conformance suite's copy test: [shape, strides, offset] over 400 elements. */
const LAYOUTS: [number[], number[], number][] = [
  [[6, 11], [1, 6], 3],
  [[3, 4, 5], [20, 1, 4], 0],
  [[2, 3, 4, 5], [60, 5, 15, 1], 7],
  [[4, 5, 6], [0, 6, 1], 1],
  [[5, 7], [7, 0], 2],
  [[3, 2, 2, 2, 2], [1, 3, 6, 12, 24], 0],
  [[17], [3], 5],
  [[65], [1], 9],
  [[], [], 4],
  [[3, 0], [1, 3], 0],
];

describe.runIf(runtime)('webgpu unary and copy kernels', () => {
  const rt = runtime!;
  const kernels = elementwiseKernels(rt);

  /** `op` of `x` into a fresh `out` dtype on the GPU and in the reference, compared within `rtol`/`atol`. */
  async function expectUnary(op: UnaryOp, x: ArrayLike<number>, dx: DType, out: DType, rtol = 0, atol = 0) {
    const input = allocStorage(dx, x.length);
    input.set(Array.from(x));
    const expected = allocStorage(out, x.length);
    jsBackend.unary(op, input, expected);
    const actual = rt.alloc(out, x.length);
    kernels.unary(op, rt.upload(input), actual);
    const got = await rt.readAsync(actual);
    const i = firstMismatch(got, expected, rtol, atol);
    expect(i, `${op} ${dx} → ${out} of ${input[i]}: ${describeMismatch(i, got, expected)}`).toBe(-1);
  }

  for (const [op, rtol] of Object.entries(RTOL) as [UnaryOp, number][]) {
    const bound = rtol === 0 ? 'exactly' : `within ${rtol} relative (+${rtol / 100} absolute)`;
    it(`${op} on float32 matches the reference ${bound}, special values included`, async () => {
      for (const n of [1, 17, 1000])
        await expectUnary(op, inputs(n, n), 'float32', 'float32', rtol, rtol / 100);
    });
  }

  it('keeps signed zeros where the reference does (round, ceil, sign, neg, relu)', async () => {
    const x = Float32Array.of(-0.5, -0.4, -0, 0, 0.4, 0.5, -1.5, -2.5);
    for (const op of ['round', 'ceil', 'sign', 'neg', 'relu', 'floor'] as UnaryOp[]) {
      const expected = new Float32Array(x.length);
      jsBackend.unary(op, x, expected);
      const actual = rt.alloc('float32', x.length);
      kernels.unary(op, rt.upload(x), actual);
      const got = await rt.readAsync(actual);
      expect(
        [...got].map((v) => Object.is(v, -0)),
        op,
      ).toEqual([...expected].map((v) => Object.is(v, -0)));
    }
  });

  it('integer ops on int32 and bool keep integers and wrap as the reference (square past 2^53 rounds first)', async () => {
    const ints = [0, 1, -1, 7, -3, 46341, -65536, 94906267, 123456789, 2147483647, -2147483648];
    for (const op of ['neg', 'abs', 'sign', 'square', 'relu', 'floor', 'ceil', 'round'] as UnaryOp[]) {
      await expectUnary(op, ints, 'int32', 'int32');
      await expectUnary(op, [0, 1, 1, 0], 'bool', 'int32');
    }
    // float ops on integers compute in float32
    for (const op of ['exp', 'sqrt', 'reciprocal', 'sigmoid'] as UnaryOp[])
      await expectUnary(op, [0, 1, -3, 7, 1000], 'int32', 'float32', 1e-5, 1e-7);
  });

  it('logicalNot of every dtype gives bool (NaN is true)', async () => {
    await expectUnary(
      'logicalNot',
      [0, -0, Number.NaN, 1e-40, -2, Number.POSITIVE_INFINITY],
      'float32',
      'bool',
    );
    await expectUnary('logicalNot', [0, 5, -2147483648], 'int32', 'bool');
    await expectUnary('logicalNot', [0, 1], 'bool', 'bool');
    await expectUnary('logicalNot', [0, 1, Number.NaN], 'float32', 'float32');
  });

  it('copies permuted, broadcast, stepped, offset, 0-d and empty views into every dtype', async () => {
    const values = randomF32(400, 7, -3e9, 3e9);
    values.set([Number.NaN, Number.POSITIVE_INFINITY, -0, 2147483648, -2147483649, 0.75, -0.75, 1e-40], 20);
    for (const [shape, strides, offset] of LAYOUTS) {
      const size = shape.reduce((p, d) => p * d, 1);
      for (const from of ['float32', 'int32', 'bool'] as DType[]) {
        const data = allocStorage(from, 400);
        data.set(from === 'bool' ? values.map((v) => (v > 0 ? 1 : 0)) : values);
        const src: StridedView = { data, offset, strides };
        for (const to of ['float32', 'int32', 'bool'] as DType[]) {
          const expected = allocStorage(to, size);
          jsBackend.copy(src, expected, shape);
          const actual = rt.alloc(to, size);
          kernels.copy({ data: rt.upload(data), offset, strides }, actual, shape);
          expect([...(await rt.readAsync(actual))], `copy [${shape}] ${from} → ${to}`).toEqual([...expected]);
        }
      }
    }
  });

  it('writes in place when the output is an input (bound once), and dispatches nothing for empty shapes', async () => {
    const x = rt.upload(Float32Array.of(1, -2, 3, -4));
    kernels.unary('neg', x, x);
    const view = { data: x, offset: 0, strides: [1] };
    kernels.binary('mul', view, view, x, [4]);
    expect([...(await rt.readAsync(x))]).toEqual([1, 4, 9, 16]);
    const empty = rt.alloc('float32', 0);
    kernels.unary('exp', empty, empty);
    kernels.copy({ data: x, offset: 0, strides: [1, 1] }, empty, [0, 4]);
    expect([...(await rt.readAsync(empty))]).toEqual([]);
  });

  it('dispatches past 65,535 workgroups along x (the grid wraps into y) for maps and reductions', async () => {
    const n = 65535 * 256 + 257;
    const x = Float32Array.from({ length: n }, (_, i) => i % 1009);
    const negated = rt.alloc('float32', n);
    kernels.unary('neg', rt.upload(x), negated);
    const rows = rt.alloc('float32', n);
    kernels.reduce('max', rt.upload(x), rows, n, 1);
    const [a, b] = [await rt.readAsync(negated), await rt.readAsync(rows)];
    expect(a.findIndex((v, i) => v !== -x[i]!)).toBe(-1);
    expect(b.findIndex((v, i) => v !== x[i]!)).toBe(-1);
  });

  it('throws a ShapeError naming the kernel for reads outside a storage or a short output', () => {
    const x = rt.upload(new Float32Array(6));
    const view = (offset: number, strides: number[]): StridedView<DeviceMemory> => ({
      data: x,
      offset,
      strides,
    });
    expect(() => kernels.copy(view(1, [3, 1]), rt.alloc('float32', 6), [2, 3])).toThrow(ShapeError);
    expect(() => kernels.copy(view(1, [3, 1]), rt.alloc('float32', 6), [2, 3])).toThrow(
      'webgpu copy: src (offset 1, strides [3, 1]) reads elements 1..6 of a storage of 6',
    );
    expect(() => kernels.binary('add', view(0, [1]), view(2, [-1]), rt.alloc('float32', 4), [4])).toThrow(
      'webgpu binary add: b (offset 2, strides [-1]) reads elements -1..2 of a storage of 6',
    );
    expect(() =>
      kernels.where(view(0, [1]), view(0, [1]), view(0, [0]), rt.alloc('float32', 3), [6]),
    ).toThrow('webgpu where: out has 3 elements, shape [6] needs 6');
    expect(() => kernels.unary('exp', x, rt.alloc('float32', 5))).toThrow(
      'webgpu unary exp: x has 6 elements but out has 5',
    );
    const foreign = { backend: 'other', dtype: 'float32', length: 6 } as const;
    expect(() => kernels.unary('exp', foreign, x)).toThrow(DeviceMemoryError);
  });
});
