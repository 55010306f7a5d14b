import { describe, expect, it } from 'vitest';
import { coalesce, forEachRow } from './strided.js';

describe('coalesce', () => {
  it('merges axes every view walks contiguously and drops size-1 axes', () => {
    expect(coalesce([2, 3, 4], [[12, 4, 1]])).toEqual([[24], [[1]]]);
    expect(coalesce([2, 1, 3], [[3, 99, 1]])).toEqual([[6], [[1]]]);
    // a transposed view stops the merge; the second (contiguous) view must agree for a merge
    expect(
      coalesce(
        [3, 2],
        [
          [1, 3],
          [2, 1],
        ],
      ),
    ).toEqual([
      [3, 2],
      [
        [1, 3],
        [2, 1],
      ],
    ]);
    // broadcast (stride 0) axes merge with each other
    expect(
      coalesce(
        [2, 3],
        [
          [0, 0],
          [3, 1],
        ],
      ),
    ).toEqual([[6], [[0], [1]]]);
  });

  it('gives one element for a scalar shape', () => {
    expect(coalesce([], [[], []])).toEqual([[1], [[0], [0]]]);
    expect(coalesce([1, 1], [[5, 7]])).toEqual([[1], [[0]]]);
  });
});

describe('forEachRow', () => {
  it('visits every innermost row with the right start offsets, for any strides', () => {
    const rows: [number[], number, number, number[]][] = [];
    forEachRow(
      [2, 3, 2],
      [
        { data: new Float32Array(0), offset: 5, strides: [1, 2, 6] },
        { data: new Float32Array(0), offset: 0, strides: [6, 2, 1] },
      ],
      (offsets, r, n, strides) => rows.push([[...offsets], r, n, [...strides]]),
    );
    expect(rows).toEqual([
      [[5, 0], 0, 2, [6, 1]],
      [[7, 2], 1, 2, [6, 1]],
      [[9, 4], 2, 2, [6, 1]],
      [[6, 6], 3, 2, [6, 1]],
      [[8, 8], 4, 2, [6, 1]],
      [[10, 10], 5, 2, [6, 1]],
    ]);
  });

  it('visits nothing for an empty shape and one row for a scalar', () => {
    let calls = 0;
    forEachRow([3, 0], [{ data: new Float32Array(0), offset: 0, strides: [0, 1] }], () => calls++);
    expect(calls).toBe(0);
    const seen: number[] = [];
    forEachRow([], [{ data: new Float32Array(1), offset: 3, strides: [] }], (offsets, _r, n) =>
      seen.push(offsets[0]!, n),
    );
    expect(seen).toEqual([3, 1]);
  });
});
