import { describe, expect, it } from 'vitest';
import { jsBackend } from '../backend/js/index.js';
import { registerBackend } from '../backend/registry.js';
import { assertClose, errorOf, valuesOf, withBackend } from '../testing/index.js';
import { tensor } from './creation.js';
import { indexAdd, indexSelect } from './index-rows.js';
import { randn } from './random.js';

const ids = (data: number[]) => tensor(data, { dtype: 'int32' });

// The JS kernels without the row kernels: ops compose them from a one-hot matrix product.
registerBackend({ ...jsBackend, name: 'no-row-kernels', indexSelect: undefined, indexAdd: undefined });

describe('indexAdd', () => {
  it('adds slices of src at the indexed rows, repeats accumulating (torch.index_add)', () => {
    const x = tensor([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const src = tensor([
      [10, 20],
      [30, 40],
      [50, 60],
    ]);
    expect(indexAdd(x, 0, ids([2, 0, 2]), src).toArray()).toEqual([
      [31, 41],
      [2, 2],
      [63, 83],
    ]);
    expect(x.toArray()).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    // along dim 1: torch.zeros(2, 3).index_add(1, tensor([1, 1]), tensor([[1., 2.], [3., 4.]]))
    expect(
      indexAdd(
        tensor([
          [0, 0, 0],
          [0, 0, 0],
        ]),
        1,
        ids([1, 1]),
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ).toArray(),
    ).toEqual([
      [0, 3, 0],
      [0, 7, 0],
    ]);
  });

  it('names what is wrong', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(
      errorOf(() =>
        indexAdd(
          x,
          0,
          ids([0]),
          tensor([
            [1, 2],
            [3, 4],
          ]),
        ),
      ),
    ).toEqual({
      name: 'ShapeError',
      message: 'indexAdd: src [2, 2] must be x [2, 2] with 1 (the index length) along dim 0',
    });
    expect(errorOf(() => indexAdd(x, 0, ids([2]), tensor([[1, 2]])))).toEqual({
      name: 'RangeError',
      message: 'indexAdd: index 2 is out of range for dim 0 of size 2',
    });
    expect(errorOf(() => indexAdd(tensor([1, 2], { dtype: 'int32' }), 0, ids([0]), tensor([1])))).toEqual({
      name: 'DTypeError',
      message: 'indexAdd: x must be float32 or float64, got int32',
    });
  });
});

describe('row kernels composed from primitives', () => {
  it("indexSelect and indexAdd give the kernels' results on a backend without them", () => {
    const weight = randn([7, 5]);
    const index = ids([3, 0, 6, 3, 3, 1]);
    const grad = randn([6, 5]);
    const fused = [
      indexSelect(weight, 0, index),
      indexAdd(weight, 0, index, grad),
      indexSelect(weight, 1, ids([4, 0])),
    ];
    const composed = withBackend('no-row-kernels', () => [
      indexSelect(weight, 0, index),
      indexAdd(weight, 0, index, grad),
      indexSelect(weight, 1, ids([4, 0])),
    ]);
    // Selecting multiplies by exact zeros and ones, so selections are equal; the repeated row 3 sums
    // its three gradient rows before adding them to the weight (the kernel adds them one by one).
    expect(valuesOf(composed[0]!)).toEqual(valuesOf(fused[0]!));
    expect(valuesOf(composed[2]!)).toEqual(valuesOf(fused[2]!));
    assertClose(composed[1]!, fused[1]!, { atol: 1e-6, rtol: 1e-6 });
  });
});
