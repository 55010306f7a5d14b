import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, setBackend } from '../backend/registry.js';
import type { Tensor } from '../tensor.js';
import { assertClose, backendNames, elementAt, errorOf, indicesOf } from '../testing/index.js';
import { arange, tensor, zeros } from './creation.js';
import { matmul } from './matmul.js';
import { randn } from './random.js';

/** float64 triple loop over 2-D views: out[i][j] = Σ_p a[i][p]·b[p][j]. */
function naive2d(a: Tensor, b: Tensor): number[][] {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  return Array.from({ length: m }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let p = 0; p < k; p++) s += elementAt(a, [i, p]) * elementAt(b, [p, j]);
      return s;
    }),
  );
}

describe.each(backendNames())('matmul (%s backend)', (backend) => {
  const previous = getBackend().name;
  beforeAll(() => setBackend(backend));
  afterAll(() => setBackend(previous));

  it('multiplies 2-D matrices', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensor([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    assertClose(matmul(a, b), [
      [58, 64],
      [139, 154],
    ]);
  });

  it('treats 1-D operands as a row (left) or column (right) and drops that axis', () => {
    const v = tensor([1, 2, 3]);
    const m = tensor([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    const dot = matmul(v, tensor([4, 5, 6]));
    expect(dot.shape).toEqual([]);
    expect(dot.item()).toBe(32);
    assertClose(matmul(v, m), [4, 5]);
    assertClose(matmul(m.transpose(), v), [4, 5]);
    const batch = arange(12).reshape([2, 2, 3]).to('float32');
    assertClose(matmul(batch, v), [
      [8, 26],
      [44, 62],
    ]);
    assertClose(matmul(tensor([1, -1]), batch), [
      [-3, -3, -3],
      [-3, -3, -3],
    ]);
  });

  it('broadcasts batch axes', () => {
    const a = randn([2, 1, 3, 4], { dtype: 'float64' });
    const b = randn([5, 4, 2], { dtype: 'float64' });
    const out = matmul(a, b);
    expect(out.shape).toEqual([2, 5, 3, 2]);
    for (const [i, j] of indicesOf([2, 5])) {
      assertClose(out.select(0, i!).select(0, j!), naive2d(a.select(0, i!).select(0, 0), b.select(0, j!)), {
        rtol: 1e-12,
        atol: 1e-12,
      });
    }
    expect(matmul(zeros([3, 1, 2, 4]), zeros([7, 4, 5])).shape).toEqual([3, 7, 2, 5]);
  });

  it('reads transposed, offset, step-sliced and expanded operands correctly', () => {
    const base = randn([6, 8], { dtype: 'float64' });
    const cases: [Tensor, Tensor][] = [
      [base.narrow(0, 0, 3), base.transpose().narrow(1, 2, 4)], // [3, 8] · [8, 4] transposed view
      [base.transpose().narrow(0, 1, 5), base.narrow(1, 0, 2)], // [5, 6] · [6, 2]
      [base.slice(1, 0, 8, 2), base.slice(0, 1, 6, 2).transpose().slice(0, 0, 8, 2)], // no unit stride: copied
      [tensor([[1, 2]], { dtype: 'float64' }).expand([3, 2]), base.narrow(0, 0, 2)], // stride-0 rows
    ];
    for (const [a, b] of cases) assertClose(matmul(a, b), naive2d(a, b), { rtol: 1e-12, atol: 1e-12 });
    const shared = tensor([[2, 3]], { dtype: 'float64' }).expand([4, 2, 2]); // stride 0 on batch and rows
    const a = randn([4, 3, 2], { dtype: 'float64' });
    const out = matmul(a, shared);
    for (let i = 0; i < 4; i++) {
      assertClose(out.select(0, i), naive2d(a.select(0, i), shared.select(0, i)), {
        rtol: 1e-12,
        atol: 1e-12,
      });
    }
  });

  it('crosses the kernel block sizes (k > 256, m not a multiple of 4) accurately in float32', () => {
    const a = randn([37, 300]);
    const b = randn([300, 29]);
    assertClose(matmul(a, b), naive2d(a, b), { rtol: 1e-4, atol: 1e-4 });
    assertClose(matmul(b.transpose(), a.transpose()), matmul(a, b).transpose(), { rtol: 1e-5, atol: 1e-4 });
  });

  it('promotes float32 with float64, and handles empty sizes', () => {
    const out = matmul(tensor([[0.1]]), tensor([[3]], { dtype: 'float64' }));
    expect(out.dtype).toBe('float64');
    expect(out.item()).toBe(Math.fround(0.1) * 3);
    assertClose(matmul(zeros([2, 0]), zeros([0, 3])), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(matmul(zeros([0, 4]), zeros([4, 3])).shape).toEqual([0, 3]);
    expect(matmul(zeros([2, 4]), zeros([4, 0])).shape).toEqual([2, 0]);
    expect(matmul(zeros([0, 2, 4]), zeros([4, 1])).shape).toEqual([0, 2, 1]);
  });

  it('errors name the shapes and dtypes', () => {
    expect(errorOf(() => matmul(zeros([2, 3]), zeros([4, 5])))).toEqual({
      name: 'ShapeError',
      message: 'matmul: inner dimensions differ (a.shape[-1]=3, b.shape[-2]=4); a=[2, 3], b=[4, 5]',
    });
    expect(errorOf(() => matmul(zeros([2, 3]), zeros([4])))).toEqual({
      name: 'ShapeError',
      message: 'matmul: inner dimensions differ (a.shape[-1]=3, b.shape[0]=4); a=[2, 3], b=[4]',
    });
    expect(errorOf(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 1])))).toEqual({
      name: 'ShapeError',
      message: 'matmul: shapes [2] and [3] cannot be broadcast (axis -1: 2 vs 3)',
    });
    expect(errorOf(() => matmul(tensor(1), zeros([1])))).toEqual({
      name: 'ShapeError',
      message: 'matmul: both operands need at least 1 dim; a=[], b=[1]',
    });
    expect(errorOf(() => matmul(arange(4).reshape([2, 2]), zeros([2, 2])))).toEqual({
      name: 'DTypeError',
      message: 'matmul: expected float32 or float64 operands, got int32 and float32',
    });
  });
});
