import { describe, expect, it } from 'vitest';
import { isDeviceStorage } from '../backend/memory.js';
import { registerBackend } from '../backend/registry.js';
import { Tensor } from '../tensor.js';
import { createEmulatedDeviceBackend } from '../testing/emulated-device.js';
import { assertClose, errorOf, valuesOf, withBackend } from '../testing/index.js';
import { arange, tensor, zeros } from './creation.js';
import {
  chunk,
  concat,
  expand,
  flatten,
  movedToLast,
  narrow,
  permute,
  reshape,
  select,
  slice,
  split,
  squeeze,
  stack,
  transpose,
  unsqueeze,
  view,
} from './movement.js';

registerBackend(createEmulatedDeviceBackend({ name: 'movement-device' }));

/** 0..23 as [2, 3, 4]. */
const cube = () => arange(24).reshape([2, 3, 4]);

describe('reshape and view', () => {
  it('reshape of a contiguous tensor is a view with row-major strides', () => {
    const x = cube();
    const r = reshape(x, [4, -1]);
    expect(r.storage).toBe(x.storage);
    expect(r.shape).toEqual([4, 6]);
    expect(r.strides).toEqual([6, 1]);
    expect(valuesOf(r)).toEqual(valuesOf(x));
  });

  it('reshape of a transposed tensor views when axes can merge, copies when they cannot', () => {
    const t = transpose(cube(), 0, 1); // [3, 2, 4], strides [4, 12, 1]
    const split4 = reshape(t, [3, 2, 2, 2]); // splitting the contiguous last axis is a view
    expect(split4.storage).toBe(t.storage);
    expect(split4.strides).toEqual([4, 12, 2, 1]);
    const merged = reshape(t, [3, 8]); // axes 1 and 2 do not merge: a copy
    expect(merged.storage).not.toBe(t.storage);
    assertClose(merged, [
      [0, 1, 2, 3, 12, 13, 14, 15],
      [4, 5, 6, 7, 16, 17, 18, 19],
      [8, 9, 10, 11, 20, 21, 22, 23],
    ]);
    const rows = reshape(t, [6, 4]);
    expect(valuesOf(rows)).toEqual([
      0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11, 20, 21, 22, 23,
    ]);
  });

  it('reshape of a step slice keeps the stride and splits it correctly', () => {
    const s = slice(arange(12), 0, 0, 12, 2); // 0, 2, ..., 10
    const r = reshape(s, [2, 3]);
    expect(r.storage).toBe(s.storage);
    expect(r.strides).toEqual([6, 2]);
    assertClose(r, [
      [0, 2, 4],
      [6, 8, 10],
    ]);
  });

  it('reshape views through size-1 axes and adds size-1 axes anywhere', () => {
    const x = narrow(cube(), 1, 1, 1); // [2, 1, 4] with offset 4
    const r = reshape(x, [1, 2, 4, 1]);
    expect(r.storage).toBe(x.storage);
    expect(r.offset).toBe(4);
    expect(valuesOf(r)).toEqual([4, 5, 6, 7, 16, 17, 18, 19]);
  });

  it('reshape of an expanded tensor copies when the broadcast axis must merge', () => {
    const e = expand(tensor([1, 2]), [3, 2]);
    const r = reshape(e, [6]);
    expect(r.storage).not.toBe(e.storage);
    expect(r.toArray()).toEqual([1, 2, 1, 2, 1, 2]);
    const kept = reshape(e, [3, 1, 2]);
    expect(kept.storage).toBe(e.storage);
    expect(valuesOf(kept)).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('reshape handles 0-d and empty tensors', () => {
    expect(reshape(tensor(5), [1, 1]).toArray()).toEqual([[5]]);
    expect(reshape(tensor([5]), []).shape).toEqual([]);
    expect(reshape(zeros([0, 3]), [3, 0, 5]).shape).toEqual([3, 0, 5]);
    expect(reshape(zeros([2, 0]), [-1]).shape).toEqual([0]);
  });

  it('reshape errors name the op and both shapes', () => {
    const x = cube();
    expect(errorOf(() => reshape(x, [5, -1]))).toEqual({
      name: 'ShapeError',
      message: 'reshape: cannot reshape [2, 3, 4] (24 elements) into [5, -1]',
    });
    expect(errorOf(() => reshape(x, [5, 5]))).toEqual({
      name: 'ShapeError',
      message: 'reshape: cannot reshape [2, 3, 4] (24 elements) into [5, 5]',
    });
    expect(errorOf(() => reshape(x, [-1, -1]))).toEqual({
      name: 'ShapeError',
      message: 'reshape: only one dimension can be -1, got [-1, -1]',
    });
    expect(errorOf(() => reshape(x, [-2, -12]))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => reshape(x, [2.5, 9.6]))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => reshape(zeros([0]), [0, -1]))).toMatchObject({ name: 'ShapeError' });
  });

  it('view never copies, and says so when the layout needs a copy', () => {
    const x = cube();
    expect(view(x, [24]).storage).toBe(x.storage);
    expect(view(transpose(x, 0, 1), [3, 2, 2, 2]).storage).toBe(x.storage);
    expect(errorOf(() => view(transpose(x, 0, 1), [3, 8]))).toEqual({
      name: 'ShapeError',
      message: 'view: [3, 2, 4] with strides [4, 12, 1] cannot be viewed as [3, 8]; use reshape()',
    });
    expect(view(zeros([0, 2]).transpose(), [0]).shape).toEqual([0]);
  });

  it('flatten merges a range of axes', () => {
    const x = cube();
    expect(flatten(x).shape).toEqual([24]);
    expect(flatten(x, 1).shape).toEqual([2, 12]);
    expect(flatten(x, 0, 1).shape).toEqual([6, 4]);
    expect(flatten(x, -2, -1).shape).toEqual([2, 12]);
    expect(flatten(x, 1, 1).shape).toEqual([2, 3, 4]);
    expect(flatten(tensor(3)).shape).toEqual([1]);
    expect(flatten(zeros([0, 3]), 1).shape).toEqual([0, 3]);
    expect(flatten(zeros([2, 0, 3]), 0, 1).shape).toEqual([0, 3]);
    expect(valuesOf(flatten(transpose(x, 1, 2)))).toEqual(valuesOf(transpose(x, 1, 2)));
    expect(errorOf(() => flatten(x, 2, 1))).toEqual({
      name: 'ShapeError',
      message: 'flatten: startDim 2 comes after endDim 1',
    });
    expect(errorOf(() => flatten(x, 3))).toMatchObject({ name: 'ShapeError' });
  });
});

describe('permute and transpose', () => {
  it('permute reorders shape and strides without copying', () => {
    const x = cube();
    const p = permute(x, [2, 0, 1]);
    expect(p.storage).toBe(x.storage);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.strides).toEqual([1, 12, 4]);
    // p[k][i][j] = x[i][j][k] = 12i + 4j + k
    expect(valuesOf(p).slice(0, 6)).toEqual([0, 4, 8, 12, 16, 20]);
    expect(permute(x, [-1, 0, 1]).shape).toEqual([4, 2, 3]);
    expect(permute(tensor(1), []).shape).toEqual([]);
  });

  it('permute rejects wrong counts and repeated axes', () => {
    expect(errorOf(() => permute(cube(), [0, 1]))).toEqual({
      name: 'ShapeError',
      message: 'permute: got 2 dims [0,1] for a 3-d tensor [2, 3, 4]',
    });
    expect(errorOf(() => permute(cube(), [0, 1, -2]))).toEqual({
      name: 'ShapeError',
      message: 'permute: dims [0,1,-2] repeat an axis',
    });
    expect(errorOf(() => permute(cube(), [0, 1, 3]))).toMatchObject({ name: 'ShapeError' });
  });

  it('transpose swaps the last two axes by default, or the given ones', () => {
    const x = arange(6).reshape([2, 3]);
    assertClose(transpose(x), [
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(transpose(cube(), 0, 2).shape).toEqual([4, 3, 2]);
    expect(transpose(cube(), -1, -1).strides).toEqual([12, 4, 1]);
    const v = arange(3);
    expect(transpose(v)).toBe(v);
    const s = tensor(2);
    expect(transpose(s, 0, -1)).toBe(s);
    expect(errorOf(() => transpose(v, 0, 1))).toMatchObject({ name: 'ShapeError' });
    // views of views: transposing back restores the original strides
    expect(transpose(transpose(cube(), 0, 2), 0, 2).strides).toEqual([12, 4, 1]);
  });
});

describe('expand', () => {
  it('broadcasts size-1 and new leading axes with stride 0', () => {
    const x = tensor([[1], [2]]);
    const e = expand(x, [3, 2, 4]);
    expect(e.storage).toBe(x.storage);
    expect(e.strides).toEqual([0, 1, 0]);
    expect(valuesOf(e)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(expand(x, [-1, 3]).shape).toEqual([2, 3]);
    expect(expand(tensor(7), [2]).toArray()).toEqual([7, 7]);
    expect(expand(tensor([5]), [0]).shape).toEqual([0]);
    expect(expand(x, [2, 1]).strides).toEqual([1, 1]);
  });

  it('expand of a view keeps the view strides', () => {
    const col = select(arange(6).reshape([2, 3]), 1, 2); // [2, 5]
    const e = expand(unsqueeze(col, 1), [2, 3]);
    expect(e.toArray()).toEqual([
      [2, 2, 2],
      [5, 5, 5],
    ]);
  });

  it('expand errors', () => {
    expect(errorOf(() => expand(tensor([1, 2]), [3]))).toEqual({
      name: 'ShapeError',
      message: 'expand: axis 0 of size 2 cannot expand to 3 ([2] → [3])',
    });
    expect(errorOf(() => expand(zeros([2, 2]), [2]))).toEqual({
      name: 'ShapeError',
      message: 'expand: cannot expand [2, 2] to fewer dims [2]',
    });
    expect(errorOf(() => expand(tensor([1]), [-1, 2]))).toEqual({
      name: 'ShapeError',
      message: 'expand: -1 is not allowed for new leading axis 0 in [-1, 2]',
    });
    expect(errorOf(() => expand(tensor([1]), [-3]))).toMatchObject({ name: 'ShapeError' });
  });
});

describe('narrow, slice and select', () => {
  it('narrow takes a range as a view, accepting a negative start', () => {
    const x = arange(10);
    const n = narrow(x, 0, 3, 4);
    expect(n.storage).toBe(x.storage);
    expect(n.offset).toBe(3);
    expect(n.toArray()).toEqual([3, 4, 5, 6]);
    expect(narrow(x, 0, -2, 2).toArray()).toEqual([8, 9]);
    expect(narrow(x, -1, 10, 0).size).toBe(0);
    assertClose(narrow(cube(), 2, 1, 2).select(0, 1), [
      [13, 14],
      [17, 18],
      [21, 22],
    ]);
  });

  it('narrow errors', () => {
    expect(errorOf(() => narrow(arange(5), 0, 3, 3))).toEqual({
      name: 'ShapeError',
      message: 'narrow: range [3, 6) is outside axis 0 of size 5 in [5]',
    });
    expect(errorOf(() => narrow(arange(5), 0, -6, 1))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => narrow(arange(5), 0, 1, -1))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => narrow(arange(5), 0, 0.5, 1))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => narrow(tensor(1), 0, 0, 1))).toEqual({
      name: 'ShapeError',
      message: 'narrow: expected a tensor with at least 1 dim, got a 0-d tensor',
    });
  });

  it('slice follows Python semantics: negative bounds count from the end, out-of-range bounds clip', () => {
    const x = arange(5);
    const cases: [number | undefined, number | undefined, number, number[]][] = [
      [undefined, undefined, 1, [0, 1, 2, 3, 4]],
      [1, 4, 1, [1, 2, 3]],
      [-2, undefined, 1, [3, 4]],
      [-10, 100, 1, [0, 1, 2, 3, 4]],
      [3, 1, 1, []],
      [7, 9, 1, []],
      [1, -1, 2, [1, 3]],
      [0, 5, 2, [0, 2, 4]],
      [0, 5, 3, [0, 3]],
      [4, 5, 10, [4]],
    ];
    for (const [start, end, step, want] of cases) {
      expect(slice(x, 0, start, end, step).toArray()).toEqual(want);
    }
  });

  it('slices of slices compose strides and offsets', () => {
    const x = arange(20);
    const s = slice(slice(x, 0, 1, undefined, 2), 0, 1, undefined, 3); // odd numbers, then every 3rd from 3
    expect(s.storage).toBe(x.storage);
    expect(s.strides).toEqual([6]);
    expect(s.toArray()).toEqual([3, 9, 15]);
    const m = slice(transpose(cube(), 1, 2), 1, 1, 4, 2); // [2, 2, 3]: rows 1 and 3 of the transposed
    assertClose(m.select(0, 0), [
      [1, 5, 9],
      [3, 7, 11],
    ]);
  });

  it('slice errors', () => {
    expect(errorOf(() => slice(arange(5), 0, 0, 5, 0))).toEqual({
      name: 'ShapeError',
      message: 'slice: step must be a positive integer, got 0',
    });
    expect(errorOf(() => slice(arange(5), 0, 0, 5, -1))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => slice(arange(5), 1))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => slice(tensor(1), 0))).toMatchObject({ name: 'ShapeError' });
  });

  it('select drops the axis; negative indices count from the end', () => {
    const x = cube();
    assertClose(select(x, 1, -1), [
      [8, 9, 10, 11],
      [20, 21, 22, 23],
    ]);
    expect(select(select(x, 0, 1), 0, 2).toArray()).toEqual([20, 21, 22, 23]);
    expect(select(arange(3), 0, 1).shape).toEqual([]);
    expect(errorOf(() => select(x, 1, 3))).toEqual({
      name: 'ShapeError',
      message: 'select: index 3 is out of range for axis 1 of size 3',
    });
    expect(errorOf(() => select(x, 1, -4))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => select(tensor(1), 0, 0))).toMatchObject({ name: 'ShapeError' });
  });
});

describe('squeeze and unsqueeze', () => {
  it('squeeze removes all size-1 axes, or only the listed ones; other axes are left alone', () => {
    const x = arange(6).reshape([1, 2, 1, 3]);
    expect(squeeze(x).shape).toEqual([2, 3]);
    expect(squeeze(x).strides).toEqual([3, 1]);
    expect(squeeze(x, 0).shape).toEqual([2, 1, 3]);
    expect(squeeze(x, [0, -2]).shape).toEqual([2, 3]);
    expect(squeeze(x, 1).shape).toEqual([1, 2, 1, 3]);
    expect(squeeze(tensor(4), 0).shape).toEqual([]);
    expect(squeeze(zeros([1, 0])).shape).toEqual([0]);
    expect(errorOf(() => squeeze(x, 4))).toMatchObject({ name: 'ShapeError' });
  });

  it('squeeze of a transposed view keeps the remaining strides', () => {
    const t = transpose(arange(6).reshape([2, 1, 3]), 0, 2); // [3, 1, 2], strides [1, 3, 3]
    const s = squeeze(t);
    expect(s.strides).toEqual([1, 3]);
    assertClose(s, [
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });

  it('unsqueeze inserts a size-1 axis at any position', () => {
    const x = arange(6).reshape([2, 3]);
    expect(unsqueeze(x, 0).shape).toEqual([1, 2, 3]);
    expect(unsqueeze(x, 1).shape).toEqual([2, 1, 3]);
    expect(unsqueeze(x, 2).shape).toEqual([2, 3, 1]);
    expect(unsqueeze(x, -1).shape).toEqual([2, 3, 1]);
    expect(unsqueeze(x, -3).shape).toEqual([1, 2, 3]);
    expect(unsqueeze(tensor(1), 0).shape).toEqual([1]);
    const t = unsqueeze(transpose(x), 1);
    expect(t.shape).toEqual([3, 1, 2]);
    expect(valuesOf(t)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(unsqueeze(t, 0).isContiguous()).toBe(false);
    expect(unsqueeze(x, 1).isContiguous()).toBe(true);
    expect(errorOf(() => unsqueeze(x, 3))).toEqual({
      name: 'ShapeError',
      message: 'unsqueeze: dim 3 is out of range for a tensor with 3 dims',
    });
    expect(errorOf(() => unsqueeze(x, -4))).toMatchObject({ name: 'ShapeError' });
  });
});

describe('concat and stack', () => {
  it('concat joins along any axis, including negative dims and views', () => {
    const a = arange(4).reshape([2, 2]);
    const b = tensor([[9], [8]], { dtype: 'int32' });
    expect(concat([a, b], 1).toArray()).toEqual([
      [0, 1, 9],
      [2, 3, 8],
    ]);
    expect(concat([a, b], -1).toArray()).toEqual(concat([a, b], 1).toArray());
    expect(concat([a, transpose(a)], 0).toArray()).toEqual([
      [0, 1],
      [2, 3],
      [0, 2],
      [1, 3],
    ]);
    expect(concat([a]).toArray()).toEqual(a.toArray());
    expect(concat([a, zeros([0, 2], { dtype: 'int32' })]).shape).toEqual([2, 2]);
  });

  it('concat and stack keep operands in a device memory there', async () => {
    const onDevice = withBackend('movement-device', () => arange(4).reshape([2, 2]).to('float32'));
    const joined = concat([onDevice, tensor([[9, 8]])], 0);
    expect(isDeviceStorage(joined.buffer)).toBe(true);
    expect([...(await joined.dataAsync())]).toEqual([0, 1, 2, 3, 9, 8]);
    expect([...(await stack([onDevice, onDevice.transpose()], 1).dataAsync())]).toEqual([
      0, 1, 0, 2, 2, 3, 1, 3,
    ]);
  });

  it('concat promotes dtypes', () => {
    const c = concat([tensor([true]), arange(2), tensor([0.5], { dtype: 'float64' })]);
    expect(c.dtype).toBe('float64');
    expect(c.toArray()).toEqual([1, 0, 1, 0.5]);
  });

  it('concat errors', () => {
    expect(errorOf(() => concat([]))).toEqual({
      name: 'ShapeError',
      message: 'concat: needs at least one tensor',
    });
    expect(errorOf(() => concat([zeros([2, 2]), zeros([3, 3])], 0))).toEqual({
      name: 'ShapeError',
      message: 'concat: shapes [2, 2], [3, 3] differ outside dim 0',
    });
    expect(errorOf(() => concat([zeros([2]), zeros([2, 1])]))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => concat([zeros([2]), zeros([2])], 1))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => concat([tensor(1), tensor(2)]))).toEqual({
      name: 'ShapeError',
      message: 'concat: expected a tensor with at least 1 dim, got a 0-d tensor',
    });
  });

  it('stack adds a new axis at any position, including negative ones', () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(stack([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(stack([a, b], 1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(stack([a, b], -1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(stack([a, b], -2).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
    expect(stack([cube(), cube()], 3).shape).toEqual([2, 3, 4, 2]);
  });

  it('stack errors', () => {
    expect(errorOf(() => stack([]))).toEqual({
      name: 'ShapeError',
      message: 'stack: needs at least one tensor',
    });
    expect(errorOf(() => stack([zeros([2]), zeros([3])]))).toEqual({
      name: 'ShapeError',
      message: 'stack: shapes [2], [3] are not all equal',
    });
    expect(errorOf(() => stack([zeros([2]), zeros([2])], 2))).toEqual({
      name: 'ShapeError',
      message: 'stack: dim 2 is out of range for a tensor with 2 dims',
    });
    expect(errorOf(() => stack([zeros([2]), zeros([2])], -3))).toMatchObject({ name: 'ShapeError' });
  });
});

describe('split and chunk', () => {
  it('split by size gives views, the last one shorter', () => {
    const x = arange(7);
    const parts = split(x, 3);
    expect(parts.map((p) => p.toArray())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(parts.every((p) => p.storage === x.storage)).toBe(true);
    expect(split(cube(), 2, -1).map((p) => p.shape)).toEqual([
      [2, 3, 2],
      [2, 3, 2],
    ]);
    expect(split(cube(), 2, 1)[1]!.toArray()).toEqual([[[8, 9, 10, 11]], [[20, 21, 22, 23]]]);
  });

  it('an empty axis splits into one empty piece, as PyTorch', () => {
    expect(split(zeros([0]), 2).map((p) => p.shape)).toEqual([[0]]);
    expect(chunk(zeros([2, 0]), 3, 1).map((p) => p.shape)).toEqual([[2, 0]]);
  });

  it('split by a list of sizes, zeros allowed', () => {
    expect(split(arange(5), [1, 0, 4]).map((p) => p.toArray())).toEqual([[0], [], [1, 2, 3, 4]]);
  });

  it('split errors', () => {
    expect(errorOf(() => split(arange(5), 0))).toEqual({
      name: 'ShapeError',
      message: 'split: size must be a positive integer, got 0',
    });
    expect(errorOf(() => split(arange(5), [2, 2]))).toEqual({
      name: 'ShapeError',
      message: 'split: sizes [2,2] must be non-negative integers adding up to axis 0 of size 5',
    });
    expect(errorOf(() => split(arange(3), [-1, 4]))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => split(arange(3), 1, 1))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => split(tensor(1), 1))).toMatchObject({ name: 'ShapeError' });
  });

  it('chunk splits into ceil(size / chunks)-sized pieces, as PyTorch', () => {
    expect(chunk(arange(5), 3).map((p) => p.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(chunk(arange(6), 4).map((p) => p.toArray())).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(chunk(arange(2), 5).map((p) => p.toArray())).toEqual([[0], [1]]);
    expect(chunk(cube(), 2, -2).map((p) => p.shape)).toEqual([
      [2, 2, 4],
      [2, 1, 4],
    ]);
    expect(errorOf(() => chunk(arange(4), 0))).toEqual({
      name: 'ShapeError',
      message: 'chunk: chunks must be a positive integer, got 0',
    });
    expect(errorOf(() => chunk(arange(4), 2, 1))).toMatchObject({ name: 'ShapeError' });
  });
});

describe('movedToLast', () => {
  it('swaps an axis last and back', () => {
    const x = cube();
    const [moved, restore] = movedToLast(x, 0);
    expect(moved.shape).toEqual([4, 3, 2]);
    const back = restore(moved);
    expect(back.shape).toEqual([2, 3, 4]);
    expect(valuesOf(back)).toEqual(valuesOf(x));
    const [same] = movedToLast(x, 2);
    expect(same).toBe(x);
    expect(movedToLast(tensor(1), 0)[0]).toBeInstanceOf(Tensor);
  });
});
