import { describe, expect, it } from 'vitest';
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { assertClose, errorOf, valuesOf } from '../testing/index.js';
import {
  add,
  div,
  eq,
  ge,
  gt,
  le,
  logicalAnd,
  logicalOr,
  lt,
  maskedFill,
  maximum,
  minimum,
  mul,
  ne,
  pow,
  sub,
  where,
} from './binary.js';
import { arange, tensor, zeros } from './creation.js';

const { NaN: nan, POSITIVE_INFINITY: inf } = Number;
const f64 = (data: number[] | number[][]) => tensor(data, { dtype: 'float64' });

describe('arithmetic with broadcasting', () => {
  it('broadcasts a column against a row', () => {
    const col = tensor([[1], [2]]);
    const row = tensor([10, 20, 30]);
    assertClose(add(col, row), [
      [11, 21, 31],
      [12, 22, 32],
    ]);
    assertClose(sub(col, row), [
      [-9, -19, -29],
      [-8, -18, -28],
    ]);
    assertClose(mul(col, row), [
      [10, 20, 30],
      [20, 40, 60],
    ]);
    assertClose(div(row, col), [
      [10, 20, 30],
      [5, 10, 15],
    ]);
  });

  it('broadcasts 0-d tensors, size-1 axes and new leading axes', () => {
    expect(add(tensor(1), tensor(2)).shape).toEqual([]);
    expect(add(tensor(1), tensor(2)).item()).toBe(3);
    const x = arange(6).reshape([2, 1, 3]);
    const y = arange(4).reshape([4, 1]);
    const out = add(x, y);
    expect(out.shape).toEqual([2, 4, 3]);
    expect(valuesOf(out.select(0, 1))).toEqual([3, 4, 5, 4, 5, 6, 5, 6, 7, 6, 7, 8]);
    expect(add(zeros([0, 3]), zeros([3])).shape).toEqual([0, 3]);
    expect(add(zeros([2, 1]), zeros([1, 0])).shape).toEqual([2, 0]);
  });

  it('reads non-contiguous and expanded operands through their strides', () => {
    const x = arange(12).reshape([3, 4]);
    const t = x.transpose().slice(0, 0, 4, 2); // rows 0 and 2 of xᵀ: [[0, 4, 8], [2, 6, 10]]
    const e = tensor([[100], [200]]).expand([2, 3]);
    assertClose(add(t, e), [
      [100, 104, 108],
      [202, 206, 210],
    ]);
    assertClose(mul(x.narrow(1, 1, 2), x.narrow(1, 2, 2)), [
      [2, 6],
      [30, 42],
      [90, 110],
    ]);
  });

  it('scalars work on either side and keep operand order', () => {
    const x = tensor([1, 2, 4]);
    assertClose(sub(10, x), [9, 8, 6]);
    assertClose(sub(x, 10), [-9, -8, -6]);
    assertClose(div(1, x), [1, 0.5, 0.25]);
    assertClose(pow(2, x), [2, 4, 16]);
    assertClose(pow(x, 0.5), [1, Math.SQRT2, 2], { rtol: 1e-7 });
  });

  it('float32 results are rounded to float32; float64 are not', () => {
    expect(add(tensor([0.1]), tensor([0.2])).item()).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    expect(add(f64([0.1]), f64([0.2])).item()).toBe(0.1 + 0.2);
  });

  it('follows IEEE rules for division by zero, and pow edge cases', () => {
    expect(valuesOf(div(f64([1, -1, 0]), 0))).toEqual([inf, -inf, nan]);
    expect(valuesOf(div(tensor([1, 0], { dtype: 'int32' }), 0))).toEqual([inf, nan]);
    expect(valuesOf(pow(f64([-8, 0, 2]), f64([1 / 3, 0, -1])))).toEqual([nan, 1, 0.5]);
  });

  it('maximum and minimum propagate NaN from either side', () => {
    const a = f64([1, nan, 3, -0]);
    const b = f64([nan, 2, 1, 0]);
    expect(valuesOf(maximum(a, b)).slice(0, 3)).toEqual([nan, nan, 3]);
    expect(valuesOf(minimum(a, b)).slice(0, 3)).toEqual([nan, nan, 1]);
    assertClose(maximum(tensor([[1], [5]]), tensor([2, 4])), [
      [2, 4],
      [5, 5],
    ]);
    assertClose(minimum(tensor([[1], [5]]), 3), [[1], [3]]);
  });
});

describe('dtype promotion', () => {
  const of = (dtype: DType) => tensor([1, 0], { dtype });

  it('tensor ⊕ tensor promotes bool < int32 < float32 < float64; bool arithmetic gives int32', () => {
    const table: [DType, DType, DType][] = [
      ['bool', 'bool', 'int32'],
      ['bool', 'int32', 'int32'],
      ['int32', 'int32', 'int32'],
      ['int32', 'float32', 'float32'],
      ['bool', 'float32', 'float32'],
      ['float32', 'float64', 'float64'],
      ['int32', 'float64', 'float64'],
    ];
    for (const [a, b, want] of table) {
      for (const op of [add, sub, mul, maximum, minimum]) {
        expect(op(of(a), of(b)).dtype).toBe(want);
        expect(op(of(b), of(a)).dtype).toBe(want);
      }
    }
  });

  it('div and pow of integers give float32; float64 stays float64', () => {
    expect(div(of('int32'), of('int32')).dtype).toBe('float32');
    expect(div(of('bool'), of('bool')).dtype).toBe('float32');
    expect(div(of('int32'), of('float64')).dtype).toBe('float64');
    expect(pow(of('int32'), 2).dtype).toBe('float32');
    expect(pow(of('float64'), 2).dtype).toBe('float64');
    assertClose(div(tensor([7], { dtype: 'int32' }), 2), [3.5]);
  });

  it('scalars do not widen a tensor of their own kind (PyTorch rule)', () => {
    const cases: [DType, number | boolean, DType][] = [
      ['float32', 2.5, 'float32'],
      ['float32', 2, 'float32'],
      ['float64', 2.5, 'float64'],
      ['int32', 2, 'int32'],
      ['int32', 2.5, 'float32'],
      ['int32', true, 'int32'],
      ['bool', 2, 'int32'],
      ['bool', 2.5, 'float32'],
      ['bool', true, 'int32'],
      ['float32', true, 'float32'],
    ];
    for (const [dtype, scalar, want] of cases) {
      expect(add(of(dtype), scalar).dtype).toBe(want);
      expect(mul(scalar, of(dtype)).dtype).toBe(want);
    }
    assertClose(add(tensor([1, 2], { dtype: 'int32' }), 0.5), [1.5, 2.5]);
  });

  it('int32 arithmetic wraps around as PyTorch does', () => {
    expect(add(tensor([2147483647], { dtype: 'int32' }), 1).toArray()).toEqual([-2147483648]);
  });

  it('comparisons give bool and compare in the promoted type', () => {
    const x = tensor([1, 2, 3], { dtype: 'int32' });
    expect(lt(x, 2.5).toArray()).toEqual([true, true, false]);
    expect(eq(x, 2).dtype).toBe('bool');
    expect(eq(tensor([0.1]), 0.1).toArray()).toEqual([true]); // the scalar is float32 too
    expect(eq(tensor([0.1]), f64([0.1])).toArray()).toEqual([false]); // float32(0.1) != 0.1
  });
});

describe('comparisons and logic', () => {
  it('each comparison, broadcast, with NaN never equal', () => {
    const a = f64([[1], [2], [nan]]);
    const b = f64([1, 2]);
    expect(eq(a, b).toArray()).toEqual([
      [true, false],
      [false, true],
      [false, false],
    ]);
    expect(ne(a, b).toArray()).toEqual([
      [false, true],
      [true, false],
      [true, true],
    ]);
    expect(lt(a, b).toArray()).toEqual([
      [false, true],
      [false, false],
      [false, false],
    ]);
    expect(le(a, b).toArray()).toEqual([
      [true, true],
      [false, true],
      [false, false],
    ]);
    expect(gt(a, b).toArray()).toEqual([
      [false, false],
      [true, false],
      [false, false],
    ]);
    expect(ge(a, b).toArray()).toEqual([
      [true, false],
      [true, true],
      [false, false],
    ]);
    expect(eq(tensor([-0]), tensor([0])).toArray()).toEqual([true]);
  });

  it('logicalAnd and logicalOr use truthiness (nonzero, NaN true)', () => {
    const a = tensor([0, 1, 0, 2, nan]);
    const b = tensor([true, true, false, false, true]);
    expect(logicalAnd(a, b).toArray()).toEqual([false, true, false, false, true]);
    expect(logicalOr(a, b).toArray()).toEqual([true, true, false, true, true]);
    expect(logicalOr(a, false).dtype).toBe('bool');
  });
});

describe('where and maskedFill', () => {
  it('where broadcasts all three and promotes a and b', () => {
    const cond = tensor([[true], [false]]);
    const out = where(cond, tensor([1, 2, 3], { dtype: 'int32' }), f64([[-1, -2, -3]]));
    expect(out.dtype).toBe('float64');
    assertClose(out, [
      [1, 2, 3],
      [-1, -2, -3],
    ]);
    const s = where(tensor([true, false]), 1, arange(2).to('float32'));
    expect(s.dtype).toBe('float32');
    assertClose(s, [1, 1]);
    const two = where(tensor([true, false]), 0, Number.NEGATIVE_INFINITY);
    expect(two.dtype).toBe('float32');
    expect(valuesOf(two)).toEqual([0, Number.NEGATIVE_INFINITY]);
    expect(where(tensor([true, false]), true, false).dtype).toBe('bool');
  });

  it('where reads strided operands and a non-bool condition by truthiness', () => {
    const x = arange(6).reshape([2, 3]);
    const cond = x.gt(2).transpose(); // [3, 2]
    assertClose(where(cond, x.transpose(), -1), [
      [-1, 3],
      [-1, 4],
      [-1, 5],
    ]);
    assertClose(where(tensor([0, 2]), 1, 0), [0, 1]);
  });

  it('where errors', () => {
    expect(errorOf(() => where(tensor([true, false, true]), zeros([2]), 0))).toEqual({
      name: 'ShapeError',
      message: 'where: shapes [3] and [2] and [] cannot be broadcast (axis -1: 3 vs 2)',
    });
  });

  it('maskedFill writes the value where the broadcast mask is true, keeping dtype', () => {
    const x = arange(6).reshape([2, 3]);
    const causal = tensor([[false, true, true]]);
    const out = maskedFill(x, causal, -1);
    expect(out.dtype).toBe('int32');
    assertClose(out, [
      [0, -1, -1],
      [3, -1, -1],
    ]);
    const f = maskedFill(x.to('float32'), tensor([true, false, false]), Number.NEGATIVE_INFINITY);
    expect(valuesOf(f)).toEqual([-inf, 1, 2, -inf, 4, 5]);
    expect(Array.from(maskedFill(tensor([true, false]), tensor([false, true]), 5).storage)).toEqual([1, 1]);
    expect(maskedFill(tensor([true, true]), tensor([true, false]), 0).toArray()).toEqual([false, true]);
  });

  it('maskedFill errors: non-bool mask, mask that widens x, unrepresentable value', () => {
    expect(errorOf(() => maskedFill(zeros([2]), tensor([1, 0]), 0))).toEqual({
      name: 'DTypeError',
      message: 'maskedFill: mask must be bool, got float32',
    });
    expect(errorOf(() => maskedFill(zeros([3]), tensor([[true], [false]]), 0))).toEqual({
      name: 'ShapeError',
      message: 'maskedFill: mask [2, 1] must broadcast to x [3]',
    });
    expect(errorOf(() => maskedFill(arange(2), tensor([true, false]), Number.NEGATIVE_INFINITY))).toEqual({
      name: 'RangeError',
      message: "maskedFill: value -Infinity is not representable in x's dtype int32",
    });
    expect(errorOf(() => maskedFill(arange(2), tensor([true, false]), 0.5))).toMatchObject({
      name: 'RangeError',
    });
  });
});

describe('errors', () => {
  it('name the op and both shapes when shapes do not broadcast', () => {
    expect(errorOf(() => add(zeros([2, 3]), zeros([2])))).toEqual({
      name: 'ShapeError',
      message: 'add: shapes [2, 3] and [2] cannot be broadcast (axis -1: 3 vs 2)',
    });
    expect(errorOf(() => lt(zeros([4, 1]), zeros([3, 2])))).toEqual({
      name: 'ShapeError',
      message: 'lt: shapes [4, 1] and [3, 2] cannot be broadcast (axis -2: 4 vs 3)',
    });
  });

  it('need at least one tensor operand', () => {
    expect(errorOf(() => add(1, 2))).toEqual({
      name: 'DTypeError',
      message: 'add: at least one operand must be a Tensor',
    });
    expect(errorOf(() => eq(true, false))).toMatchObject({ name: 'DTypeError' });
  });

  it('reject integer scalars that int32 cannot hold next to integer tensors', () => {
    expect(errorOf(() => lt(arange(3), 3e9))).toEqual({
      name: 'RangeError',
      message:
        'lt: integer scalar 3000000000 does not fit in int32, the dtype it takes beside int32 tensors; convert the tensor to float first',
    });
    expect(errorOf(() => mul(tensor([true]), -(2 ** 31) - 1))).toMatchObject({ name: 'RangeError' });
    expect(lt(arange(3).to('float64'), 3e9).toArray()).toEqual([true, true, true]);
    expect(add(arange(1), -(2 ** 31)).toArray()).toEqual([-2147483648]);
  });
});

it('ops return fresh tensors and leave inputs untouched', () => {
  const x = tensor([1, 2]);
  const before = valuesOf(x);
  const y: Tensor = add(x, 1);
  expect(y.storage).not.toBe(x.storage);
  expect(valuesOf(x)).toEqual(before);
});
