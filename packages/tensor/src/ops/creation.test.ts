import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor.js';
import { assertClose, errorOf } from '../testing/index.js';
import {
  arange,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  tensor,
  zeros,
  zerosLike,
} from './creation.js';

describe('tensor()', () => {
  it('reads nested arrays, inferring shape and float32 (bool for booleans)', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.storage)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensor([[true], [false]]).dtype).toBe('bool');
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('makes 0-d tensors from scalars', () => {
    const t = tensor(4.5);
    expect(t.shape).toEqual([]);
    expect(t.item()).toBe(4.5);
    expect(tensor(false).dtype).toBe('bool');
    expect(tensor(7, { dtype: 'int32' }).item()).toBe(7);
  });

  it('converts to the requested dtype (int truncates, bool is nonzero)', () => {
    expect(tensor([1.9, -2.7], { dtype: 'int32' }).toArray()).toEqual([1, -2]);
    expect(tensor([0, 3, Number.NaN, true, false], { dtype: 'bool' }).toArray()).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(tensor([true, false], { dtype: 'float64' }).toArray()).toEqual([1, 0]);
    expect(tensor([0.1], { dtype: 'float64' }).item()).toBe(0.1);
    expect(tensor([0.1]).item()).toBe(Math.fround(0.1));
  });

  it('int32 from numbers: finite values truncate toward zero (as PyTorch), the rest is an error', () => {
    expect(tensor([1.7, -1.7, -0.5, 2147483647.9, -2147483648.9], { dtype: 'int32' }).toArray()).toEqual([
      1, -1, 0, 2147483647, -2147483648,
    ]);
    expect(errorOf(() => tensor([1.7, Number.NaN, 3e9], { dtype: 'int32' }))).toEqual({
      name: 'DTypeError',
      message: 'tensor: element [1] is NaN, which int32 cannot hold',
    });
    expect(errorOf(() => tensor([[1], [3e9]], { dtype: 'int32' }))).toEqual({
      name: 'DTypeError',
      message: "tensor: element [1, 0] is 3000000000, outside int32's range [-2147483648, 2147483647]",
    });
    expect(errorOf(() => tensor(Number.NEGATIVE_INFINITY, { dtype: 'int32' }))).toEqual({
      name: 'DTypeError',
      message: "tensor: element [] is -Infinity, outside int32's range [-2147483648, 2147483647]",
    });
    expect(errorOf(() => tensor(new Float64Array([0, 2 ** 31]), { dtype: 'int32' }))).toMatchObject({
      name: 'DTypeError',
      message: expect.stringContaining('element [1] is 2147483648'),
    });
    expect(tensor(new Float32Array([2.5, -2.5]), { dtype: 'int32' }).toArray()).toEqual([2, -2]);
  });

  it('full and *Like follow the same int32 rule for the fill value', () => {
    expect(full([2], 2.9, { dtype: 'int32' }).toArray()).toEqual([2, 2]);
    expect(errorOf(() => full([2], Number.NaN, { dtype: 'int32' }))).toEqual({
      name: 'DTypeError',
      message: 'full: the fill value is NaN, which int32 cannot hold',
    });
    expect(errorOf(() => fullLike(arange(3), 2 ** 40))).toMatchObject({
      name: 'DTypeError',
      message: expect.stringContaining('full: the fill value is 1099511627776, outside'),
    });
  });

  it('copies typed arrays, keeps their dtype, and reshapes flat data with `shape`', () => {
    const src = new Int32Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(src, { shape: [3, 2] });
    expect(t.dtype).toBe('int32');
    expect(t.storage).not.toBe(src);
    src[0] = 100;
    assertClose(t, [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(tensor(new Uint8Array([0, 9])).toArray()).toEqual([false, true]);
    expect(tensor(new Int16Array([-3, 4]) as never, { dtype: 'float32' }).toArray()).toEqual([-3, 4]);
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(tensor([5], { shape: [] }).shape).toEqual([]);
  });

  it('fails loudly on ragged data, bad elements, wrong lengths and unknown dtypes', () => {
    expect(errorOf(() => tensor([[1, 2], [3]]))).toEqual({
      name: 'ShapeError',
      message: 'tensor: ragged nested array at [1] (expected length 2, got 1)',
    });
    expect(errorOf(() => tensor([[1], 2] as never))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => tensor([1, [2]] as never))).toEqual({
      name: 'ShapeError',
      message: 'tensor: ragged nested array at [1]',
    });
    expect(errorOf(() => tensor([1, 'a'] as never))).toEqual({
      name: 'DTypeError',
      message: 'tensor: element at [1] is string, expected number or boolean',
    });
    expect(errorOf(() => tensor([1, 2, 3], { shape: [2, 2] }))).toEqual({
      name: 'ShapeError',
      message: 'tensor: data has 3 elements but shape [2, 2] needs 4',
    });
    expect(errorOf(() => tensor([1, 2], { shape: [-1, -2] }))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => tensor([1], { dtype: 'int64' as never }))).toEqual({
      name: 'DTypeError',
      message: "tensor: unknown dtype 'int64'",
    });
    expect(errorOf(() => tensor(new Int16Array(2) as never))).toEqual({
      name: 'DTypeError',
      message: 'tensor: unsupported typed array Int16Array',
    });
  });
});

describe('filled tensors', () => {
  it('full, zeros and ones fill every element, float32 by default', () => {
    const f = full([2, 2], 3.5);
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([
      [3.5, 3.5],
      [3.5, 3.5],
    ]);
    expect(full([2], true).dtype).toBe('bool');
    expect(Array.from(full([2], 5, { dtype: 'bool' }).storage)).toEqual([1, 1]);
    expect(full([], 2, { dtype: 'int32' }).toArray()).toBe(2);
    expect(zeros([2, 0]).size).toBe(0);
    expect(zeros([3], { dtype: 'float64' }).toArray()).toEqual([0, 0, 0]);
    expect(ones([2], { dtype: 'int32' }).toArray()).toEqual([1, 1]);
    expect(errorOf(() => zeros([2, -1]))).toEqual({
      name: 'ShapeError',
      message: 'full: shape [2, -1] must contain non-negative integers',
    });
    expect(errorOf(() => ones([1.5]))).toMatchObject({ name: 'ShapeError' });
  });

  it('*Like copy shape and dtype unless a dtype is given', () => {
    const x = tensor([[1, 2, 3]], { dtype: 'float64' }).transpose();
    for (const [t, value] of [
      [zerosLike(x), 0],
      [onesLike(x), 1],
      [fullLike(x, 9), 9],
    ] as [Tensor, number][]) {
      expect(t.shape).toEqual([3, 1]);
      expect(t.dtype).toBe('float64');
      expect(Array.from(t.storage)).toEqual([value, value, value]);
    }
    expect(zerosLike(x, { dtype: 'int32' }).dtype).toBe('int32');
    expect(onesLike(x, { dtype: 'bool' }).toArray()).toEqual([[true], [true], [true]]);
    expect(fullLike(x, -2, { dtype: 'float32' }).dtype).toBe('float32');
  });
});

describe('ranges', () => {
  it('arange counts from 0, or from start by step; integers give int32', () => {
    const a = arange(5);
    expect(a.dtype).toBe('int32');
    expect(a.toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(2, 8, 3).toArray()).toEqual([2, 5]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(arange(3, 3).size).toBe(0);
    expect(arange(3, 1).size).toBe(0);
    expect(arange(0, 3, 1, { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('arange with fractional arguments gives float32 and ceil((end - start) / step) values', () => {
    const a = arange(0, 1, 0.25);
    expect(a.dtype).toBe('float32');
    expect(a.toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(1, 0, -0.3).shape).toEqual([4]); // 1, 0.7, 0.4, 0.1
    assertClose(arange(1, 0, -0.3), [1, 0.7, 0.4, 0.1], { atol: 1e-6 });
    expect(arange(0.5).toArray()).toEqual([0]);
  });

  it('arange rejects zero, infinite and NaN arguments', () => {
    expect(errorOf(() => arange(0, 5, 0))).toEqual({
      name: 'RangeError',
      message: 'arange: step must be finite and non-zero, got 0',
    });
    expect(errorOf(() => arange(0, 5, Number.POSITIVE_INFINITY))).toMatchObject({ name: 'RangeError' });
    expect(errorOf(() => arange(Number.NaN, 5))).toEqual({
      name: 'RangeError',
      message: 'arange: start and end must be finite, got NaN and 5',
    });
    expect(errorOf(() => arange(Number.POSITIVE_INFINITY))).toMatchObject({ name: 'RangeError' });
  });

  it('arange and linspace in int32 truncate each value and refuse values outside int32', () => {
    expect(arange(0, 2, 0.5, { dtype: 'int32' }).toArray()).toEqual([0, 0, 1, 1]);
    expect(linspace(0, 1, 3, { dtype: 'int32' }).toArray()).toEqual([0, 0, 1]);
    expect(errorOf(() => arange(2 ** 31 - 1, 2 ** 31 + 1))).toEqual({
      name: 'DTypeError',
      message: "arange: element [1] is 2147483648, outside int32's range [-2147483648, 2147483647]",
    });
    expect(errorOf(() => linspace(0, -3e9, 2, { dtype: 'int32' }))).toMatchObject({
      name: 'DTypeError',
      message: expect.stringContaining('linspace: element [1] is -3000000000'),
    });
  });

  it('linspace includes both ends exactly', () => {
    const l = linspace(0, 1, 5, { dtype: 'float64' });
    expect(l.toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const third = linspace(-1, 1, 4, { dtype: 'float64' }).toArray() as number[];
    expect(third[0]).toBe(-1);
    expect(third[3]).toBe(1);
    expect(third[1]).toBeCloseTo(-1 / 3, 15);
    expect(linspace(2, 3, 1).toArray()).toEqual([2]);
    expect(linspace(2, 3, 0).size).toBe(0);
    expect(linspace(0, 1, 3).dtype).toBe('float32');
    expect(errorOf(() => linspace(0, 1, -1))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => linspace(0, 1, 2.5))).toMatchObject({ name: 'ShapeError' });
  });

  it('eye gives square and rectangular identities', () => {
    expect(eye(2).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(eye(2, 3, { dtype: 'int32' }).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(eye(3, 1).toArray()).toEqual([[1], [0], [0]]);
    expect(eye(0).shape).toEqual([0, 0]);
    expect(errorOf(() => eye(-1))).toMatchObject({ name: 'ShapeError' });
  });
});
