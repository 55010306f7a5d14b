import { describe, expect, it } from 'vitest';
import { assertClose, errorOf, valuesOf } from '../testing/index.js';
import { arange, tensor, zeros } from './creation.js';
import {
  argmax,
  argmin,
  cumsum,
  logSoftmax,
  logsumexp,
  max,
  mean,
  min,
  prod,
  softmax,
  std,
  sum,
  variance,
} from './reduce.js';

const { NaN: nan, POSITIVE_INFINITY: inf, NEGATIVE_INFINITY: ninf } = Number;
/** 0..23 as [2, 3, 4]. */
const cube = () => arange(24).reshape([2, 3, 4]);

describe('sum, prod, mean, max, min', () => {
  it('reduce all axes by default, to a 0-d tensor', () => {
    const x = cube();
    expect(sum(x).shape).toEqual([]);
    expect(sum(x).item()).toBe(276);
    expect(mean(x).item()).toBe(11.5);
    expect(max(x).item()).toBe(23);
    expect(min(x).item()).toBe(0);
    expect(prod(tensor([1, 2, 3, 4])).item()).toBe(24);
  });

  it('reduce one axis, several axes, negative axes, with and without keepdim', () => {
    const x = cube();
    assertClose(sum(x, 1), [
      [12, 15, 18, 21],
      [48, 51, 54, 57],
    ]);
    assertClose(sum(x, [0, 2]), [60, 92, 124]);
    assertClose(sum(x, [-1, -3]), [60, 92, 124]);
    assertClose(sum(x, 2, { keepdim: true }), [
      [[6], [22], [38]],
      [[54], [70], [86]],
    ]);
    assertClose(max(x, 0), [
      [12, 13, 14, 15],
      [16, 17, 18, 19],
      [20, 21, 22, 23],
    ]);
    assertClose(min(x, [1, 2], { keepdim: true }), [[[0]], [[12]]]);
    assertClose(mean(x, -1), [
      [1.5, 5.5, 9.5],
      [13.5, 17.5, 21.5],
    ]);
    assertClose(
      prod(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        0,
      ),
      [3, 8],
    );
    expect(sum(x, undefined, { keepdim: true }).shape).toEqual([1, 1, 1]);
  });

  it('reduce non-contiguous views by their logical values', () => {
    const t = cube().transpose(0, 2).slice(0, 1, 4, 2); // [2, 3, 2]: k = 1, 3
    // t[k'][j][i] = 12i + 4j + (2k' + 1)
    assertClose(sum(t, 2), [
      [14, 22, 30],
      [18, 26, 34],
    ]);
    assertClose(max(tensor([5]).expand([3, 2]), 0), [5, 5]);
    expect(sum(tensor([1, 2, 3]).expand([4, 3])).item()).toBe(24);
  });

  it('dtypes: int and bool sum/prod to int32, mean computes in floating point', () => {
    expect(sum(tensor([true, true, false])).dtype).toBe('int32');
    expect(sum(tensor([true, true, false])).item()).toBe(2);
    expect(prod(arange(1, 5)).dtype).toBe('int32');
    expect(max(arange(3)).dtype).toBe('int32');
    expect(max(tensor([true, false])).dtype).toBe('bool');
    expect(mean(arange(4)).dtype).toBe('float32');
    expect(mean(arange(4)).item()).toBe(1.5);
    expect(mean(tensor([1, 2], { dtype: 'float64' })).dtype).toBe('float64');
    expect(sum(tensor([0.1, 0.2], { dtype: 'float64' })).item()).toBe(0.1 + 0.2);
  });

  it('float32 sums stay accurate over many terms', () => {
    const n = 100_000;
    const x = tensor(new Float32Array(n).fill(0.1));
    expect(Math.abs(sum(x).item() - n * Math.fround(0.1)) / n).toBeLessThan(1e-6);
  });

  it('empty reductions: sum 0, prod 1, mean NaN; max/min throw', () => {
    expect(sum(zeros([0])).item()).toBe(0);
    expect(prod(zeros([0])).item()).toBe(1);
    expect(mean(zeros([0])).item()).toBeNaN();
    assertClose(sum(zeros([2, 0]), 1), [0, 0]);
    expect(max(zeros([0, 3]), 1).shape).toEqual([0]);
    expect(errorOf(() => max(zeros([2, 0]), 1))).toEqual({
      name: 'ShapeError',
      message: 'max: cannot reduce over an empty axis of [2, 0]',
    });
    expect(errorOf(() => argmin(zeros([0])))).toMatchObject({ name: 'ShapeError' });
  });

  it('0-d tensors reduce over dim 0 or -1 to themselves', () => {
    const s = tensor(3);
    for (const out of [sum(s, 0), max(s, -1), mean(s, 0), min(s), prod(s, [0])]) {
      expect(out.shape).toEqual([]);
      expect(out.item()).toBe(3);
    }
    expect(sum(s, 0, { keepdim: true }).shape).toEqual([]);
  });

  it('max and min propagate NaN', () => {
    const x = tensor([
      [1, nan, 3],
      [nan, 0, 1],
      [4, 5, 6],
    ]);
    expect(valuesOf(max(x, 1))).toEqual([nan, nan, 6]);
    expect(valuesOf(min(x, 0))).toEqual([nan, nan, 1]);
    expect(valuesOf(max(tensor([ninf, -1])))).toEqual([-1]);
  });

  it('errors name the op and the bad dim', () => {
    expect(errorOf(() => sum(cube(), 3))).toEqual({
      name: 'ShapeError',
      message: 'sum: dim 3 is out of range for a tensor with 3 dims',
    });
    expect(errorOf(() => mean(cube(), [1, 1]))).toEqual({
      name: 'ShapeError',
      message: 'mean: dims [1,1] repeat an axis',
    });
    expect(errorOf(() => max(cube(), -4))).toMatchObject({ name: 'ShapeError' });
  });
});

describe('argmax and argmin', () => {
  it('give the first index of the extreme along a dim, as int32', () => {
    const x = tensor([
      [1, 5, 5],
      [7, 0, 0],
    ]);
    const a = argmax(x, 1);
    expect(a.dtype).toBe('int32');
    expect(a.toArray()).toEqual([1, 0]);
    expect(argmin(x, 1).toArray()).toEqual([0, 1]);
    expect(argmax(x, 0).toArray()).toEqual([1, 0, 0]);
    expect(argmax(x, -1, { keepdim: true }).toArray()).toEqual([[1], [0]]);
  });

  it('index the flattened tensor when no dim is given (keepdim gives all-ones shape)', () => {
    const x = tensor([
      [1, 5],
      [7, 0],
    ]);
    expect(argmax(x).toArray()).toBe(2);
    expect(argmin(x).toArray()).toBe(3);
    expect(argmax(x, undefined, { keepdim: true }).toArray()).toEqual([[2]]);
    expect(argmax(x.transpose()).item()).toBe(1); // flattened xᵀ = [1, 7, 5, 0]
  });

  it('NaN counts as the extreme; 0-d gives 0', () => {
    expect(argmax(tensor([1, nan, 9])).item()).toBe(1);
    expect(argmin(tensor([1, nan, -9])).item()).toBe(1);
    expect(argmax(tensor(4), 0).item()).toBe(0);
    expect(argmax(tensor(4)).shape).toEqual([]);
  });
});

describe('variance and std', () => {
  it('use Bessel correction by default, any correction when given', () => {
    const x = tensor([
      [1, 2, 3, 4],
      [2, 2, 2, 2],
    ]);
    assertClose(variance(x, 1), [5 / 3, 0], { rtol: 1e-6 });
    assertClose(variance(x, 1, { correction: 0 }), [1.25, 0], { rtol: 1e-6 });
    assertClose(std(x, 1, { keepdim: true }), [[Math.sqrt(5 / 3)], [0]], { rtol: 1e-6 });
    // all 8 values: mean 2.25, squared deviations sum 5.5
    assertClose(variance(x), 5.5 / 7, { rtol: 1e-6 });
    assertClose(variance(x, [0, 1], { correction: 0 }), 5.5 / 8, { rtol: 1e-6 });
    assertClose(
      std(x.to('float64'), 0),
      [0.5, 0, 0.5, 2].map((d) => Math.sqrt(d)),
      { rtol: 1e-15 },
    );
  });

  it('integers compute in float32, a single element with correction 1 is NaN', () => {
    expect(variance(arange(4)).dtype).toBe('float32');
    assertClose(variance(arange(4)), 5 / 3, { rtol: 1e-6 });
    expect(variance(tensor([3])).item()).toBeNaN();
    expect(variance(tensor([3]), undefined, { correction: 0 }).item()).toBe(0);
  });

  it('is accurate for large offsets (two-pass)', () => {
    const x = tensor([1e8 + 1, 1e8 + 2, 1e8 + 3], { dtype: 'float64' });
    expect(variance(x).item()).toBe(1);
  });
});

describe('logsumexp', () => {
  it('matches log(sum(exp(x))) and stays finite for large inputs', () => {
    assertClose(
      logsumexp(tensor([1, 2, 3], { dtype: 'float64' })),
      Math.log(Math.E + Math.E ** 2 + Math.E ** 3),
      {
        rtol: 1e-15,
      },
    );
    assertClose(logsumexp(tensor([1000, 1000], { dtype: 'float64' })), 1000 + Math.LN2, { rtol: 1e-15 });
    assertClose(logsumexp(tensor([-1000, -1000], { dtype: 'float64' })), -1000 + Math.LN2, { rtol: 1e-15 });
  });

  it('handles rows of -inf, +inf and NaN', () => {
    const x = tensor([
      [ninf, ninf],
      [0, ninf],
      [inf, 1],
      [nan, 1],
    ]);
    expect(valuesOf(logsumexp(x, 1))).toEqual([ninf, 0, inf, nan]);
  });

  it('reduces several dims, keepdim, and integer input in float32', () => {
    const x = cube().to('float64');
    const out = logsumexp(x, [0, 2]);
    expect(out.shape).toEqual([3]);
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) s += Math.exp(12 * i + 4 * j + k);
      expect(out.select(0, j).item()).toBeCloseTo(Math.log(s), 12);
    }
    expect(logsumexp(x, 1, { keepdim: true }).shape).toEqual([2, 1, 4]);
    expect(logsumexp(arange(3)).dtype).toBe('float32');
    expect(logsumexp(tensor(2), 0).item()).toBe(2);
  });
});

describe('softmax and logSoftmax', () => {
  it('match exp(x)/sum(exp(x)) along the last dim by default', () => {
    const x = tensor([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const e = [Math.E, Math.E ** 2, Math.E ** 3];
    const z = e[0]! + e[1]! + e[2]!;
    assertClose(softmax(x), [e.map((v) => v / z), [1 / 3, 1 / 3, 1 / 3]], { rtol: 1e-6 });
    assertClose(
      logSoftmax(x),
      [[1, 2, 3].map((v) => v - Math.log(z)), [-Math.log(3), -Math.log(3), -Math.log(3)]],
      {
        rtol: 1e-6,
      },
    );
  });

  it('work along any dim and on non-contiguous views', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const col = 1 / (1 + Math.exp(3));
    assertClose(
      softmax(x, 0),
      [
        [col, col, col],
        [1 - col, 1 - col, 1 - col],
      ],
      { rtol: 1e-6 },
    );
    assertClose(softmax(x.transpose(), 1), softmax(x, 0).transpose(), { rtol: 1e-7 });
    assertClose(
      softmax(x.to('float64'), -2),
      [
        [col, col, col],
        [1 - col, 1 - col, 1 - col],
      ],
      { rtol: 1e-15 },
    );
  });

  it('are stable for large inputs and give 0 (or -inf) where the input is -inf', () => {
    assertClose(softmax(tensor([1000, 1000, ninf])), [0.5, 0.5, 0]);
    expect(valuesOf(logSoftmax(tensor([1000, 1000, ninf], { dtype: 'float64' })))).toEqual([
      -Math.LN2,
      -Math.LN2,
      ninf,
    ]);
  });

  it('a fully masked row gives NaN, as PyTorch', () => {
    expect(valuesOf(softmax(tensor([ninf, ninf])))).toEqual([nan, nan]);
    expect(valuesOf(logSoftmax(tensor([ninf, ninf])))).toEqual([nan, nan]);
  });

  it('handle 0-d and empty tensors, and reject integers', () => {
    expect(softmax(tensor(5)).item()).toBe(1);
    expect(softmax(zeros([2, 0])).shape).toEqual([2, 0]);
    expect(softmax(zeros([0, 3])).shape).toEqual([0, 3]);
    expect(errorOf(() => softmax(arange(3)))).toEqual({
      name: 'DTypeError',
      message: 'softmax: expected a float tensor, got int32',
    });
    expect(errorOf(() => logSoftmax(zeros([2]), 1))).toMatchObject({ name: 'ShapeError' });
  });
});

describe('cumsum', () => {
  it('accumulates along any dim of any view', () => {
    const x = arange(6).reshape([2, 3]);
    assertClose(cumsum(x, 1), [
      [0, 1, 3],
      [3, 7, 12],
    ]);
    assertClose(cumsum(x, 0), [
      [0, 1, 2],
      [3, 5, 7],
    ]);
    assertClose(cumsum(x, -2), cumsum(x, 0));
    assertClose(cumsum(x.transpose(), 1), [
      [0, 3],
      [1, 5],
      [2, 7],
    ]);
    assertClose(cumsum(tensor([1]).expand([3]), 0), [1, 2, 3]);
  });

  it('keeps float dtypes, sums bool and int to int32, handles 0-d and empty', () => {
    expect(cumsum(tensor([true, true, false]), 0).toArray()).toEqual([1, 2, 2]);
    expect(cumsum(tensor([true]), 0).dtype).toBe('int32');
    expect(cumsum(tensor([0.5, 0.25], { dtype: 'float64' }), 0).toArray()).toEqual([0.5, 0.75]);
    expect(cumsum(tensor(4), 0).item()).toBe(4);
    expect(cumsum(zeros([2, 0]), 1).shape).toEqual([2, 0]);
    expect(errorOf(() => cumsum(zeros([2]), 1))).toEqual({
      name: 'ShapeError',
      message: 'cumsum: dim 1 is out of range for a tensor with 1 dims',
    });
  });
});
