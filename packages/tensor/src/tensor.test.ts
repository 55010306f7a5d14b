import { describe, expect, it } from 'vitest';
import { arange, tensor, zeros } from './ops/creation.js';
import { Tensor } from './tensor.js';
import { assertClose, errorOf, valuesOf } from './testing/index.js';

describe('Tensor construction', () => {
  it('wraps storage without copying, with row-major strides by default', () => {
    const storage = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = new Tensor(storage, [2, 3]);
    expect(t.storage).toBe(storage);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 3]);
    expect(t.strides).toEqual([3, 1]);
    expect(t.offset).toBe(0);
    expect(t.ndim).toBe(2);
    expect(t.size).toBe(6);
    expect(t.numel()).toBe(6);
    expect(Object.isFrozen(t.shape)).toBe(true);
  });

  it('infers dtype from the storage type', () => {
    expect(new Tensor(new Float64Array(1), [1]).dtype).toBe('float64');
    expect(new Tensor(new Int32Array(1), [1]).dtype).toBe('int32');
    expect(new Tensor(new Uint8Array(1), []).dtype).toBe('bool');
  });

  it('rejects unsupported storage, mismatched strides and lengths, and out-of-bounds views', () => {
    expect(errorOf(() => new Tensor(new Int16Array(2) as never, [2]))).toEqual({
      name: 'DTypeError',
      message: 'Tensor: unsupported storage Int16Array',
    });
    expect(errorOf(() => new Tensor(new Float32Array(6), [2, 3], [1]))).toEqual({
      name: 'ShapeError',
      message: 'Tensor: strides [1] do not match shape [2, 3]',
    });
    expect(errorOf(() => new Tensor(new Float32Array(5), [2, 3]))).toEqual({
      name: 'ShapeError',
      message: 'Tensor: storage has 5 elements but shape [2, 3] needs 6',
    });
    expect(errorOf(() => new Tensor(new Float32Array(4), [2, 3], [3, 1]))).toEqual({
      name: 'ShapeError',
      message: 'Tensor: shape [2, 3], strides [3, 1] and offset 0 reach elements [0, 5] outside storage of 4',
    });
    expect(errorOf(() => new Tensor(new Float32Array(6), [2, 3], undefined, 1))).toMatchObject({
      name: 'ShapeError',
    });
    expect(errorOf(() => new Tensor(new Float32Array(6), [2, 3], [-3, 1], 0))).toMatchObject({
      name: 'ShapeError',
    });
    expect(errorOf(() => new Tensor(new Float32Array(6), [-2, -3], [1, 1]))).toMatchObject({
      name: 'ShapeError',
    });
    // An empty view may point anywhere; negative strides are fine while they stay inside.
    expect(new Tensor(new Float32Array(2), [0, 5], [5, 1], 2).size).toBe(0);
    expect(valuesOf(new Tensor(new Float32Array([1, 2, 3]), [3], [-1], 2))).toEqual([3, 2, 1]);
  });
});

describe('layout', () => {
  it('isContiguous ignores size-1 axes and detects gaps, transposes and broadcasts', () => {
    const x = arange(6).reshape([2, 3]);
    expect(x.isContiguous()).toBe(true);
    expect(x.transpose().isContiguous()).toBe(false);
    expect(x.narrow(0, 1, 1).isContiguous()).toBe(true);
    expect(x.narrow(1, 0, 2).isContiguous()).toBe(false);
    expect(x.slice(1, 0, 3, 2).isContiguous()).toBe(false);
    expect(new Tensor(new Float32Array(3), [1, 3], [99, 1]).isContiguous()).toBe(true);
    expect(tensor([1]).expand([3]).isContiguous()).toBe(false);
  });

  it('contiguous() returns the same tensor when already contiguous, else a row-major copy', () => {
    const x = arange(6).reshape([2, 3]);
    expect(x.contiguous()).toBe(x);
    const t = x.transpose().contiguous();
    expect(t.strides).toEqual([2, 1]);
    expect(t.storage).not.toBe(x.storage);
    assertClose(t, [
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });

  it('clone() copies into fresh storage, including an offset view', () => {
    const x = arange(6);
    const c = x.clone();
    expect(c.storage).not.toBe(x.storage);
    c.storage[0] = 100;
    expect(x.storage[0]).toBe(0);
    const tail = x.narrow(0, 4, 2).clone();
    expect(tail.offset).toBe(0);
    expect(Array.from(tail.storage)).toEqual([4, 5]);
  });
});

describe('dtype conversion', () => {
  it('to() converts values: float→int truncates toward zero, nonzero (and NaN) →true', () => {
    const x = tensor([-1.7, -0.2, 0, 0.5, 2.9, Number.NaN]);
    expect(x.narrow(0, 0, 5).to('int32').toArray()).toEqual([-1, 0, 0, 0, 2]);
    expect(x.to('bool').toArray()).toEqual([true, true, false, true, true, true]);
    expect(tensor([true, false]).to('float64').toArray()).toEqual([1, 0]);
    expect(x.to('float64').dtype).toBe('float64');
    expect(tensor([0.1]).to('float64').item()).toBe(Math.fround(0.1));
  });

  it('to() and astype refuse float values int32 cannot hold (NaN, ±Infinity, outside its range)', () => {
    expect(errorOf(() => tensor([-1.7, Number.NaN]).to('int32'))).toEqual({
      name: 'DTypeError',
      message: 'to: element [1] is NaN, which int32 cannot hold',
    });
    const big = tensor(
      [
        [1, 3e9],
        [2, 4],
      ],
      { dtype: 'float64' },
    ).transpose(); // [[1, 2], [3e9, 4]], a strided view
    expect(errorOf(() => big.astype('int32'))).toEqual({
      name: 'DTypeError',
      message: "to: element [1, 0] is 3000000000, outside int32's range [-2147483648, 2147483647]",
    });
    expect(errorOf(() => tensor([Number.POSITIVE_INFINITY]).to('int32'))).toMatchObject({
      name: 'DTypeError',
    });
    expect(big.narrow(0, 0, 1).to('int32').toArray()).toEqual([[1, 2]]);
  });

  it('to() returns the tensor itself for its own dtype, astype is an alias, and views convert', () => {
    const x = arange(6).reshape([2, 3]);
    expect(x.to('int32')).toBe(x);
    const f = x.transpose().astype('float32');
    expect(f.dtype).toBe('float32');
    assertClose(f, [
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });
});

describe('values out', () => {
  it('data() is the storage itself for a plain contiguous tensor, a copy for views', () => {
    const x = arange(6).reshape([2, 3]);
    expect(x.data()).toBe(x.storage);
    const d = x.transpose().data();
    expect(d).not.toBe(x.storage);
    expect(Array.from(d)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from(x.narrow(0, 1, 1).data())).toEqual([3, 4, 5]);
    expect(Array.from(tensor([7]).expand([3]).data())).toEqual([7, 7, 7]);
  });

  it('dataAsync() resolves to a copy in logical order, every dtype and layout', async () => {
    const x = arange(6).reshape([2, 3]);
    const copy = await x.dataAsync();
    expect(copy).not.toBe(x.storage);
    expect(copy).toEqual(x.data());
    copy[0] = 42;
    expect(x.data()[0]).toBe(0);
    expect(Array.from(await x.transpose().dataAsync())).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from(await x.narrow(0, 1, 1).dataAsync())).toEqual([3, 4, 5]);
    expect(Array.from(await tensor([7]).expand([3]).dataAsync())).toEqual([7, 7, 7]);
    for (const dtype of ['float32', 'float64', 'int32', 'bool'] as const) {
      const t = tensor([1, 0, 2], { dtype });
      const values = await t.dataAsync();
      expect(values.constructor, dtype).toBe(t.storage.constructor);
      expect(Array.from(values), dtype).toEqual(Array.from(t.data()));
    }
    expect((await zeros([0]).dataAsync()).length).toBe(0);
  });

  it('itemAsync() resolves to item(), and rejects as item() throws', async () => {
    expect(await tensor(3).itemAsync()).toBe(3);
    expect(await arange(10).narrow(0, 7, 1).itemAsync()).toBe(7);
    expect(await tensor([0.1]).to('float64').itemAsync()).toBe(Math.fround(0.1));
    await expect(tensor([1, 2]).itemAsync()).rejects.toThrow(
      'item: tensor of shape [2] has 2 elements, not 1',
    );
  });

  it('toArray() nests by shape, gives booleans for bool, and handles 0-d and empty tensors', () => {
    expect(arange(6).reshape([3, 1, 2]).toArray()).toEqual([[[0, 1]], [[2, 3]], [[4, 5]]]);
    expect(tensor([true, false]).toArray()).toEqual([true, false]);
    expect(tensor(2.5).toArray()).toBe(2.5);
    expect(tensor(true).toArray()).toBe(true);
    expect(zeros([0]).toArray()).toEqual([]);
    expect(zeros([2, 0]).toArray()).toEqual([[], []]);
    expect(arange(6).reshape([2, 3]).transpose().toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });

  it('item() reads the single element of any one-element view', () => {
    expect(tensor(3).item()).toBe(3);
    expect(tensor([[4]]).item()).toBe(4);
    expect(arange(10).narrow(0, 7, 1).item()).toBe(7);
    expect(errorOf(() => tensor([1, 2]).item())).toEqual({
      name: 'ShapeError',
      message: 'item: tensor of shape [2] has 2 elements, not 1',
    });
    expect(errorOf(() => zeros([0]).item())).toMatchObject({ name: 'ShapeError' });
  });
});

describe('assign', () => {
  it('writes a broadcast source into a view, in place, through the shared storage', () => {
    const base = zeros([3, 4]);
    const view = base.slice(1, 0, 4, 2); // columns 0 and 2
    expect(view.assign(tensor([[1], [2], [3]]))).toBe(view);
    assertClose(base, [
      [1, 0, 1, 0],
      [2, 0, 2, 0],
      [3, 0, 3, 0],
    ]);
    base.transpose().narrow(0, 3, 1).assign(9);
    assertClose(base, [
      [1, 0, 1, 9],
      [2, 0, 2, 9],
      [3, 0, 3, 9],
    ]);
  });

  it('converts to the destination dtype', () => {
    const i = zeros([3], { dtype: 'int32' }).assign(tensor([1.9, -1.9, 7]));
    expect(i.toArray()).toEqual([1, -1, 7]);
    expect(errorOf(() => zeros([3], { dtype: 'int32' }).assign(tensor([1, Number.NaN, 2])))).toEqual({
      name: 'DTypeError',
      message: 'assign: element [1] is NaN, which int32 cannot hold',
    });
    expect(
      errorOf(() => zeros([2], { dtype: 'int32' }).assign(tensor(1e10, { dtype: 'float64' }))),
    ).toMatchObject({
      name: 'DTypeError',
      message: expect.stringContaining('assign: element [] is 10000000000, outside'),
    });
    const b = zeros([3], { dtype: 'bool' }).assign(tensor([0, 2, Number.NaN]));
    expect(b.toArray()).toEqual([false, true, true]);
    expect(zeros([2], { dtype: 'bool' }).assign(true).toArray()).toEqual([true, true]);
  });

  it('rejects sources that do not broadcast to the destination', () => {
    expect(errorOf(() => zeros([2, 3]).assign(zeros([3, 3])))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => zeros([3]).assign(zeros([2, 3])))).toEqual({
      name: 'ShapeError',
      message: 'assign: source [2, 3] does not broadcast to destination [3]',
    });
  });
});
