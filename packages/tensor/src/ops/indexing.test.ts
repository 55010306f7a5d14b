import { describe, expect, it } from 'vitest';
import { assertClose, errorOf, valuesOf } from '../testing/index.js';
import { arange, tensor } from './creation.js';
import { indexSelect } from './index-rows.js';
import { oneHot, topk, tril, triu } from './indexing.js';

const { NaN: nan, POSITIVE_INFINITY: inf } = Number;
const ids = (data: number[] | number[][]) => tensor(data, { dtype: 'int32' });
/** 0..11 as [3, 4]. */
const grid = () => arange(12).reshape([3, 4]);

describe('indexSelect', () => {
  it('selects rows (an embedding lookup) with repeats, and columns', () => {
    const x = grid();
    assertClose(indexSelect(x, 0, ids([2, 0, 2])), [
      [8, 9, 10, 11],
      [0, 1, 2, 3],
      [8, 9, 10, 11],
    ]);
    assertClose(indexSelect(x, 1, ids([3, 1])), [
      [3, 1],
      [7, 5],
      [11, 9],
    ]);
    expect(indexSelect(x, 0, ids([])).shape).toEqual([0, 4]);
    expect(indexSelect(x, 0, tensor(1, { dtype: 'int32' })).shape).toEqual([1, 4]);
  });

  it('works on offset and transposed views', () => {
    const rows = grid().narrow(0, 1, 2); // rows 1, 2 (offset 4)
    assertClose(indexSelect(rows, 0, ids([1, 0])), [
      [8, 9, 10, 11],
      [4, 5, 6, 7],
    ]);
    assertClose(indexSelect(grid().transpose(), 0, ids([3])), [[3, 7, 11]]);
    assertClose(indexSelect(grid().transpose(), 1, ids([2, 2])), [
      [8, 8],
      [9, 9],
      [10, 10],
      [11, 11],
    ]);
  });

  it('errors', () => {
    expect(errorOf(() => indexSelect(grid(), 0, ids([[0]])))).toEqual({
      name: 'ShapeError',
      message: 'indexSelect: index must be 1-D, got [1, 1]',
    });
    expect(errorOf(() => indexSelect(grid(), 0, ids([3])))).toEqual({
      name: 'RangeError',
      message: 'indexSelect: index 3 is out of range for dim 0 of size 3',
    });
    expect(errorOf(() => indexSelect(grid(), 1, ids([-1])))).toMatchObject({ name: 'RangeError' });
    expect(errorOf(() => indexSelect(grid(), 0, tensor([0])))).toMatchObject({ name: 'DTypeError' });
  });
});

describe('oneHot', () => {
  it('encodes ids as int32 rows by default, any dtype on request', () => {
    const o = oneHot(ids([2, 0]), 3);
    expect(o.dtype).toBe('int32');
    expect(o.toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(oneHot(ids([[1], [0]]), 2, { dtype: 'float32' }).shape).toEqual([2, 1, 2]);
    expect(oneHot(tensor(1, { dtype: 'int32' }), 2).toArray()).toEqual([0, 1]);
    expect(oneHot(ids([0, 1]).expand([2, 2]), 2).shape).toEqual([2, 2, 2]);
  });

  it('rejects negative or too-large ids and a bad class count', () => {
    expect(errorOf(() => oneHot(ids([-1]), 3))).toEqual({
      name: 'RangeError',
      message: 'oneHot: index -1 is out of range for dim -1 of size 3',
    });
    expect(errorOf(() => oneHot(ids([3]), 3))).toMatchObject({ name: 'RangeError' });
    expect(errorOf(() => oneHot(ids([0]), 0))).toEqual({
      name: 'RangeError',
      message: 'oneHot: numClasses must be a positive integer, got 0',
    });
    expect(errorOf(() => oneHot(ids([0]), 2.5))).toMatchObject({ name: 'RangeError' });
    expect(errorOf(() => oneHot(tensor([0]), 2))).toMatchObject({ name: 'DTypeError' });
  });
});

describe('tril and triu', () => {
  it('keep the lower/upper triangle with a diagonal offset', () => {
    const x = arange(1, 10).reshape([3, 3]);
    expect(tril(x).toArray()).toEqual([
      [1, 0, 0],
      [4, 5, 0],
      [7, 8, 9],
    ]);
    expect(tril(x, -1).toArray()).toEqual([
      [0, 0, 0],
      [4, 0, 0],
      [7, 8, 0],
    ]);
    expect(triu(x).toArray()).toEqual([
      [1, 2, 3],
      [0, 5, 6],
      [0, 0, 9],
    ]);
    expect(triu(x, 1).toArray()).toEqual([
      [0, 2, 3],
      [0, 0, 6],
      [0, 0, 0],
    ]);
    expect(tril(x, 5).toArray()).toEqual(x.toArray());
  });

  it('apply to every matrix of a batch, rectangular and strided', () => {
    const b = arange(12).reshape([2, 2, 3]);
    expect(tril(b).toArray()).toEqual([
      [
        [0, 0, 0],
        [3, 4, 0],
      ],
      [
        [6, 0, 0],
        [9, 10, 0],
      ],
    ]);
    expect(triu(b.transpose()).select(0, 1).toArray()).toEqual([
      [6, 9],
      [0, 10],
      [0, 0],
    ]);
    expect(
      tril(
        tensor([
          [true, true],
          [true, true],
        ]),
      ).toArray(),
    ).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(errorOf(() => tril(arange(3)))).toEqual({
      name: 'ShapeError',
      message: 'tril: needs at least 2 dims, got [3]',
    });
  });
});

describe('topk', () => {
  it('returns the k largest values, sorted, with int32 indices', () => {
    const { values, indices } = topk(tensor([1, 5, 3, 5, 2]), 3);
    expect(values.toArray()).toEqual([5, 5, 3]);
    expect(indices.dtype).toBe('int32');
    expect(indices.toArray()).toEqual([1, 3, 2]); // ties keep index order
  });

  it('returns the k smallest when largest is false', () => {
    const { values, indices } = topk(tensor([4, 1, 3, 1]), 2, { largest: false });
    expect(values.toArray()).toEqual([1, 1]);
    expect(indices.toArray()).toEqual([1, 3]);
  });

  it('treats NaN as the largest value either way, as PyTorch', () => {
    const x = tensor([3, nan, 1, 2, inf]);
    expect(valuesOf(topk(x, 3).values)).toEqual([nan, inf, 3]);
    expect(valuesOf(topk(x, 5, { largest: false }).values)).toEqual([1, 2, 3, inf, nan]);
    expect(topk(x, 5, { largest: false }).indices.toArray()).toEqual([2, 3, 0, 4, 1]);
    expect(valuesOf(topk(tensor([nan, 0, nan]), 3).values)).toEqual([nan, nan, 0]);
    expect(topk(tensor([nan, 0, nan]), 3).indices.toArray()).toEqual([0, 2, 1]);
  });

  it('works along any dim of a strided tensor', () => {
    const x = tensor([
      [1, 9, 4],
      [8, 2, 7],
    ]);
    const along0 = topk(x, 1, { dim: 0 });
    expect(along0.values.toArray()).toEqual([[8, 9, 7]]);
    expect(along0.indices.toArray()).toEqual([[1, 0, 1]]);
    const t = topk(x.transpose(), 2, { dim: -1 }); // rows of xᵀ: [1, 8], [9, 2], [4, 7]
    expect(t.values.toArray()).toEqual([
      [8, 1],
      [9, 2],
      [7, 4],
    ]);
    expect(topk(x, 0).values.shape).toEqual([2, 0]);
    expect(topk(tensor(5), 1).values.shape).toEqual([]);
  });

  it('errors', () => {
    expect(errorOf(() => topk(tensor([1, 2]), 3))).toEqual({
      name: 'RangeError',
      message: 'topk: k=3 is out of range for dim of size 2',
    });
    expect(errorOf(() => topk(tensor([1, 2]), -1))).toMatchObject({ name: 'RangeError' });
    expect(errorOf(() => topk(tensor([1, 2]), 1, { dim: 1 }))).toMatchObject({ name: 'ShapeError' });
  });
});
