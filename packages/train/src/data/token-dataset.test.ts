import { Generator } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { TokenDataset } from './token-dataset.js';

const ramp = (n: number) => Uint16Array.from({ length: n }, (_, i) => i);

describe('TokenDataset', () => {
  it('splits 90/10 like nanoGPT prepare.py, sharing memory', () => {
    const data = new TokenDataset(ramp(1001));
    const { train, val } = data.split();
    expect(train.length).toBe(900); // int(1001 * 0.9)
    expect(val.length).toBe(101);
    expect(val.ids[0]).toBe(900);
    expect(train.ids.buffer).toBe(data.ids.buffer);
  });

  it('randomBatch: y is x shifted by one, offsets in [0, len - T), drawn in order from the generator', () => {
    const data = new TokenDataset(ramp(50));
    const { x, y } = data.randomBatch(4, 8, new Generator(7));
    expect(x.shape).toEqual([4, 8]);
    expect(x.dtype).toBe('int32');
    const g = new Generator(7);
    const offsets = Array.from({ length: 4 }, () => g.integer(0, 42));
    const rows = x.toArray() as number[][];
    const targets = y.toArray() as number[][];
    rows.forEach((row, b) => {
      expect(row).toEqual(Array.from({ length: 8 }, (_, t) => offsets[b]! + t));
      expect(targets[b]).toEqual(row.map((v) => v + 1));
    });
  });

  it('randomBatch reaches the last window and never past it', () => {
    const data = new TokenDataset(ramp(10));
    const g = new Generator(1);
    const firsts = new Set<number>();
    for (let i = 0; i < 200; i++) firsts.add((data.randomBatch(1, 4, g).x.toArray() as number[][])[0]![0]!);
    expect([...firsts].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]); // offsets [0, 10 - 4)
  });

  it('evalBatch: fixed windows spread evenly over the split, the same every time', () => {
    const data = new TokenDataset(ramp(100));
    const starts = [0, 1].flatMap((k) =>
      (data.evalBatch(k, 2, 3, 10).x.toArray() as number[][]).map((r) => r[0]),
    );
    expect(starts).toEqual([0, 15, 30, 45, 60, 75]); // floor(j * 90 / 6)
    expect(data.evalBatch(1, 2, 3, 10).y.toArray()).toEqual(data.evalBatch(1, 2, 3, 10).y.toArray());
  });

  it('accepts plain arrays and validates', () => {
    expect(new TokenDataset([3, 1, 2]).ids).toBeInstanceOf(Int32Array);
    expect(() => new TokenDataset([1, -2])).toThrow(/id -2 at position 1/);
    expect(() => new TokenDataset(ramp(8)).randomBatch(2, 8, new Generator(0))).toThrow(
      /cannot fill a block of 8/,
    );
    expect(() => new TokenDataset(ramp(8)).split(1)).toThrow(/fraction/);
    expect(() => new TokenDataset(ramp(8)).evalBatch(2, 2, 1, 4)).toThrow(/index 2 outside/);
  });
});
