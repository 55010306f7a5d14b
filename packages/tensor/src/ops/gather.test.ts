import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../backend/js/index.js';
import { registerBackend } from '../backend/registry.js';
import { contiguousStrides } from '../shape.js';
import { createEmulatedDeviceBackend } from '../testing/emulated-device.js';
import { assertClose, errorOf, indicesOf, valuesOf, withBackend } from '../testing/index.js';
import { arange, tensor, zeros } from './creation.js';
import { gather, scatterAdd } from './gather.js';

const ids = (data: number[] | number[][] | number[][][]) => tensor(data, { dtype: 'int32' });
/** 0..11 as [3, 4]. */
const grid = () => arange(12).reshape([3, 4]);

// The JS kernels without gather and scatter-add: the ops compose them from comparisons and sums.
registerBackend({ ...jsBackend, name: 'no-gather-kernels', gather: undefined, scatterAdd: undefined });
// The JS kernels behind device memory: indices there are not read by the ops, only by the kernels.
registerBackend(createEmulatedDeviceBackend({ name: 'gather-device' }));

describe('gather', () => {
  it('picks x[i][index[i][j]] along dim 1 and x[index[i][j]][j] along dim 0', () => {
    const x = grid();
    assertClose(
      gather(
        x,
        1,
        ids([
          [3, 0],
          [1, 1],
          [2, 0],
        ]),
      ),
      [
        [3, 0],
        [5, 5],
        [10, 8],
      ],
    );
    assertClose(gather(x, 0, ids([[2, 0, 1, 2]])), [[8, 1, 6, 11]]);
    assertClose(gather(x, -1, ids([[0], [3]])), [[0], [7]]); // index may be smaller than x
  });

  it('reads strided inputs and indices', () => {
    const xt = grid().transpose(); // [4, 3]
    const index = ids([[0, 1, 2, 2]]).transpose(); // [4, 1]
    assertClose(gather(xt, 1, index), [[0], [5], [10], [11]]);
    expect(gather(tensor([1.5, 2.5], { dtype: 'float64' }), 0, ids([1, 1, 0])).dtype).toBe('float64');
  });

  it('errors: dtype, shape, range, 0-d', () => {
    expect(errorOf(() => gather(grid(), 1, tensor([[0]])))).toEqual({
      name: 'DTypeError',
      message: 'gather: index must be int32, got float32',
    });
    expect(errorOf(() => gather(grid(), 1, ids([0, 1])))).toEqual({
      name: 'ShapeError',
      message: 'gather: index [2] does not fit input [3, 4] outside dim 1',
    });
    expect(errorOf(() => gather(grid(), 1, ids([[0], [0], [0], [0]])))).toMatchObject({ name: 'ShapeError' });
    expect(errorOf(() => gather(grid(), 1, ids([[4]])))).toEqual({
      name: 'RangeError',
      message: 'gather: index 4 is out of range for dim 1 of size 4',
    });
    expect(errorOf(() => gather(grid(), 1, ids([[-1]])))).toMatchObject({ name: 'RangeError' });
    expect(errorOf(() => gather(tensor(1), 0, ids([0])))).toMatchObject({ name: 'ShapeError' });
  });
});

describe('scatterAdd', () => {
  it('adds src at index along dim, accumulating repeats, without touching x', () => {
    const x = zeros([2, 3]);
    const out = scatterAdd(
      x,
      1,
      ids([
        [0, 0, 2],
        [1, 2, 1],
      ]),
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    );
    assertClose(out, [
      [3, 0, 3],
      [0, 10, 5],
    ]);
    expect(valuesOf(x)).toEqual([0, 0, 0, 0, 0, 0]);
    const rows = scatterAdd(
      zeros([3, 2]),
      0,
      ids([
        [2, 0],
        [2, 2],
      ]),
      tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    assertClose(rows, [
      [0, 2],
      [0, 0],
      [4, 4],
    ]);
  });

  it('uses only the part of src that index covers, and reads strided src and x', () => {
    const src = arange(6).reshape([2, 3]).to('float32').transpose(); // [3, 2]: [[0, 3], [1, 4], [2, 5]]
    const out = scatterAdd(
      tensor([
        [1, 1],
        [1, 1],
      ]).transpose(),
      0,
      ids([[1, 0]]),
      src,
    );
    assertClose(out, [
      [1, 4],
      [1, 1],
    ]);
  });

  it('errors', () => {
    expect(errorOf(() => scatterAdd(zeros([2, 2]), 1, ids([[0, 1]]), zeros([1, 1])))).toEqual({
      name: 'ShapeError',
      message: 'scatterAdd: src [1, 1] is smaller than index [1, 2]',
    });
    expect(errorOf(() => scatterAdd(zeros([2, 2]), 1, ids([[2]]), zeros([1, 1])))).toMatchObject({
      name: 'RangeError',
    });
    expect(errorOf(() => scatterAdd(zeros([2, 2]), 1, ids([[0]]), ids([[1]])))).toEqual({
      name: 'DTypeError',
      message: 'scatterAdd: src is int32 but x is float32 (they must match)',
    });
    expect(errorOf(() => scatterAdd(zeros([2, 2]), 1, ids([[0], [0], [0]]), zeros([3, 1])))).toEqual({
      name: 'ShapeError',
      message: 'scatterAdd: index [3, 1] does not fit input [2, 2] outside dim 1',
    });
    // Along dim itself the index may be longer than x (several sources into one slot), as PyTorch.
    assertClose(scatterAdd(zeros([1, 2]), 1, ids([[0, 0, 1]]), tensor([[1, 2, 3]])), [[3, 3]]);
  });
});

describe('gather and scatterAdd in more than two dims (values from PyTorch)', () => {
  const x = () => arange(24).reshape([2, 3, 4]);
  const index = () =>
    ids([
      [
        [2, 0],
        [1, 1],
      ],
      [
        [0, 2],
        [2, 2],
      ],
    ]);

  it('gathers along the middle and the first axis', () => {
    // torch.arange(24.).reshape(2, 3, 4).gather(1, index)
    assertClose(gather(x(), 1, index()), [
      [
        [8, 1],
        [4, 5],
      ],
      [
        [12, 21],
        [20, 21],
      ],
    ]);
    assertClose(gather(x(), 0, ids([[[1], [0]]])), [[[12], [4]]]);
  });

  it('scatter-adds along the middle and the first axis', () => {
    // torch.zeros(2, 3, 4).scatter_add(1, index, torch.arange(1., 9.).reshape(2, 2, 2))
    assertClose(scatterAdd(zeros([2, 3, 4]), 1, index(), arange(1, 9).reshape([2, 2, 2]).to('float32')), [
      [
        [0, 2, 0, 0],
        [3, 4, 0, 0],
        [1, 0, 0, 0],
      ],
      [
        [5, 0, 0, 0],
        [0, 0, 0, 0],
        [7, 14, 0, 0],
      ],
    ]);
    const ones = tensor(Array.from({ length: 24 }, () => 1)).reshape([2, 3, 4]);
    expect(valuesOf(scatterAdd(ones, 0, ids([[[1], [0]]]), tensor([[[5], [7]]])))).toEqual([
      1, 1, 1, 1, 8, 1, 1, 1, 1, 1, 1, 1, 6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ]);
  });

  it('adds int32 exactly, bool as a logical or, and keeps an empty index a copy', () => {
    const counts = scatterAdd(zeros([3], { dtype: 'int32' }), 0, ids([2, 0, 2]), ids([1, 1, 1]));
    expect(counts.toArray()).toEqual([1, 0, 2]);
    const flags = scatterAdd(tensor([false, false, true]), 0, ids([0, 0, 2]), tensor([true, true, false]));
    expect(flags.dtype).toBe('bool');
    expect(flags.toArray()).toEqual([true, false, true]);
    expect(scatterAdd(grid(), 1, ids([]).reshape([3, 0]), ids([]).reshape([3, 0])).toArray()).toEqual(
      grid().toArray(),
    );
    expect(gather(grid(), 0, ids([]).reshape([2, 0])).shape).toEqual([2, 0]);
  });
});

/** A case of both ops: `x` `[…]` of small integers, `dim`, an index no larger than `x` outside it, `src` shaped as the index. */
const caseArb = fc
  .integer({ min: 1, max: 3 })
  .chain((rank) =>
    fc.tuple(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: rank, maxLength: rank }),
      fc.integer({ min: 0, max: rank - 1 }),
    ),
  )
  .chain(([shape, dim]) =>
    fc.tuple(
      fc.constant(shape),
      fc.constant(dim),
      fc.tuple(...shape.map((n, axis) => fc.integer({ min: 0, max: axis === dim ? 5 : n }))),
    ),
  )
  .chain(([shape, dim, indexShape]) => {
    const count = indexShape.reduce((p, n) => p * n, 1);
    const values = (length: number) =>
      fc.array(fc.integer({ min: -9, max: 9 }), { minLength: length, maxLength: length });
    return fc.record({
      shape: fc.constant(shape),
      dim: fc.constant(dim),
      indexShape: fc.constant(indexShape),
      index: fc.array(fc.integer({ min: 0, max: shape[dim]! - 1 }), { minLength: count, maxLength: count }),
      x: values(shape.reduce((p, n) => p * n, 1)),
      src: values(count),
    });
  });

/** Where each element of the index points in a contiguous `x`: a plain loop over its positions. */
function pointedAt(shape: number[], dim: number, indexShape: number[], index: number[]): number[] {
  const strides = contiguousStrides(shape);
  return indicesOf(indexShape).map((at, p) =>
    at.reduce((offset, c, axis) => offset + (axis === dim ? index[p]! : c) * strides[axis]!, 0),
  );
}

describe.each(['js', 'no-gather-kernels', 'gather-device'])('gather and scatterAdd on %s', (backend) => {
  it('match a plain loop for any rank, dim and index no larger than x', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const targets = pointedAt(c.shape, c.dim, c.indexShape, c.index);
        const scattered = c.x.slice();
        targets.forEach((at, p) => {
          scattered[at]! += c.src[p]!;
        });
        const [gathered, added] = withBackend(backend, () => {
          const x = tensor(c.x).reshape(c.shape);
          const index = tensor(c.index, { dtype: 'int32' }).reshape(c.indexShape);
          const src = tensor(c.src).reshape(c.indexShape);
          return [gather(x, c.dim, index), scatterAdd(x, c.dim, index, src)];
        });
        expect(gathered.shape).toEqual(c.indexShape);
        expect([...(await gathered.dataAsync())]).toEqual(targets.map((at) => c.x[at]!));
        expect(added.shape).toEqual(c.shape);
        expect([...(await added.dataAsync())]).toEqual(scattered);
      }),
      { numRuns: 60 },
    );
  });
});

describe('gather and scatterAdd with indices in device memory', () => {
  const onDevice = <T>(fn: () => T) => withBackend('gather-device', fn);

  const floats = () => grid().to('float32');

  it('check indices the CPU can read, with the host errors', () => {
    const x = onDevice(floats);
    expect(errorOf(() => gather(x, 1, ids([[4]])))).toEqual({
      name: 'RangeError',
      message: 'gather: index 4 is out of range for dim 1 of size 4',
    });
    expect(errorOf(() => scatterAdd(x, 0, ids([[-1]]), tensor([[1]])))).toEqual({
      name: 'RangeError',
      message: 'scatterAdd: index -1 is out of range for dim 0 of size 3',
    });
  });

  it('give NaN where a device-held index is out of range, as a GPU kernel cannot throw', async () => {
    const x = onDevice(floats);
    const index = onDevice(() => ids([[1], [4], [0]]));
    expect([...(await gather(x, 1, index).dataAsync())]).toEqual([1, Number.NaN, 8]);
    const src = onDevice(() => tensor([[10], [20], [30]]));
    // row 1's column is poisoned; the others get their source added
    expect([...(await scatterAdd(x, 1, index, src).dataAsync())]).toEqual([
      0,
      11,
      2,
      3,
      ...[4, 5, 6, 7].map(() => Number.NaN),
      38,
      9,
      10,
      11,
    ]);
  });
});

describe('gather and scatterAdd composed from primitives', () => {
  it('are for float tensors only, and say so', () => {
    const counts = withBackend('no-gather-kernels', () => zeros([3], { dtype: 'int32' }));
    expect(errorOf(() => withBackend('no-gather-kernels', () => gather(counts, 0, ids([1]))))).toEqual({
      name: 'DTypeError',
      message:
        'gather: backend no-gather-kernels has no gather kernel and composes it for float tensors only, got int32',
    });
  });
});
