import { describe, expect, it } from 'vitest';
import { arange, full, tensor, zeros } from './ops/creation.js';

describe('toString', () => {
  it('prints floats with 4 decimals, aligned, with shape and dtype', () => {
    expect(
      tensor([
        [1, -2.5],
        [3, 4],
      ]).toString(),
    ).toBe('tensor([[ 1.0000, -2.5000],\n        [ 3.0000,  4.0000]], shape=[2, 2], dtype=float32)');
  });

  it('prints integers and booleans plainly', () => {
    expect(arange(3).toString()).toBe('tensor([0, 1, 2], shape=[3], dtype=int32)');
    expect(tensor([true, false]).toString()).toBe('tensor([ true, false], shape=[2], dtype=bool)');
  });

  it('uses scientific notation for very large or small magnitudes, and names non-finite values', () => {
    expect(tensor([1e-5, 0, 2e9], { dtype: 'float64' }).toString()).toBe(
      'tensor([1.0000e-5,    0.0000, 2.0000e+9], shape=[3], dtype=float64)',
    );
    expect(tensor([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]).toString()).toBe(
      'tensor([ nan,  inf, -inf], shape=[3], dtype=float32)',
    );
  });

  it('handles 0-d and empty tensors', () => {
    expect(tensor(3).toString()).toBe('tensor(3.0000, shape=[], dtype=float32)');
    expect(zeros([0]).toString()).toBe('tensor([], shape=[0], dtype=float32)');
    expect(zeros([2, 0], { dtype: 'int32' }).toString()).toBe(
      'tensor([[],\n        []], shape=[2, 0], dtype=int32)',
    );
  });

  it('separates 3-d blocks with a blank line', () => {
    expect(arange(8).reshape([2, 2, 2]).toString()).toBe(
      'tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]], shape=[2, 2, 2], dtype=int32)',
    );
  });

  it('prints views by their logical values', () => {
    expect(arange(6).reshape([2, 3]).transpose().toString()).toBe(
      'tensor([[0, 3],\n        [1, 4],\n        [2, 5]], shape=[3, 2], dtype=int32)',
    );
    expect(arange(10).slice(0, 1, 9, 3).toString()).toBe('tensor([1, 4, 7], shape=[3], dtype=int32)');
    expect(tensor([2]).expand([2, 2]).toString()).toBe(
      'tensor([[2.0000, 2.0000],\n        [2.0000, 2.0000]], shape=[2, 2], dtype=float32)',
    );
    const big = arange(3000).slice(0, 1, undefined, 2); // 1500 elements, stride 2, offset 1
    expect(big.toString()).toBe(
      'tensor([   1,    3,    5, ..., 2995, 2997, 2999], shape=[1500], dtype=int32)',
    );
  });

  it('elides the middle of every long axis of a large tensor (more than 1000 elements)', () => {
    expect(arange(2000).reshape([2, 1000]).toString()).toBe(
      'tensor([[   0,    1,    2, ...,  997,  998,  999],\n        [1000, 1001, 1002, ..., 1997, 1998, 1999]], shape=[2, 1000], dtype=int32)',
    );
    expect(arange(1001).toString()).toBe(
      'tensor([   0,    1,    2, ...,  998,  999, 1000], shape=[1001], dtype=int32)',
    );
    expect(arange(1600).reshape([40, 40]).toString()).toBe(
      [
        'tensor([[   0,    1,    2, ...,   37,   38,   39],',
        '        [  40,   41,   42, ...,   77,   78,   79],',
        '        [  80,   81,   82, ...,  117,  118,  119],',
        '        ...,',
        '        [1480, 1481, 1482, ..., 1517, 1518, 1519],',
        '        [1520, 1521, 1522, ..., 1557, 1558, 1559],',
        '        [1560, 1561, 1562, ..., 1597, 1598, 1599]], shape=[40, 40], dtype=int32)',
      ].join('\n'),
    );
    expect(arange(1000).toString()).not.toContain('...'); // at the threshold nothing is elided
    expect(full([1000, 2], 1).toString().length).toBeLessThan(400);
  });
});
