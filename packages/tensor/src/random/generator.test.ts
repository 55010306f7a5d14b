import { describe, expect, it } from 'vitest';
import reference from '../../fixtures/generator.json';
import { errorOf } from '../testing/index.js';
import { defaultGenerator, Generator, manualSeed } from './generator.js';

type Stream = {
  uint32: number[];
  uniform: number[];
  uniform24: number[];
  normal: number[];
  integer: number[];
};
const seeds = Object.entries(reference).filter(([key]) => key !== 'state1234') as [string, Stream][];

describe('Generator streams match an independent Python implementation', () => {
  it.each(seeds)('seed %s', (seed, want) => {
    const g = new Generator(Number(seed));
    expect(Array.from({ length: 8 }, () => g.nextUint32())).toEqual(want.uint32);
    expect(Array.from({ length: 4 }, () => g.uniform())).toEqual(want.uniform);
    expect(Array.from({ length: 4 }, () => g.uniform24())).toEqual(want.uniform24);
    // Box–Muller goes through Math.log/sin/cos, which engines may round differently in the last bit.
    const normals = Array.from({ length: 5 }, () => g.normal());
    normals.forEach((z, i) => expect(z).toBeCloseTo(want.normal[i]!, 13));
    const ints = [
      ...Array.from({ length: 6 }, () => g.integer(-3, 10)),
      g.integer(0, 2 ** 32),
      g.integer(0, 2 ** 32),
    ];
    expect(ints).toEqual(want.integer);
  });

  it('the xoshiro128** step from state [1, 2, 3, 4] gives the reference outputs', () => {
    const g = new Generator().setState({ words: [1, 2, 3, 4], spareNormal: null });
    expect(Array.from({ length: 6 }, () => g.nextUint32())).toEqual(reference.state1234.uint32);
  });

  it('distinct seeds give distinct streams, including -1 vs 0 and 1 vs 2^32', () => {
    const first = (seed: number) => new Generator(seed).nextUint32();
    expect(first(-1)).not.toBe(first(0));
    expect(first(1)).not.toBe(first(2 ** 32));
    expect(new Set([0, 1, 2, 3, -1, -2, 2 ** 32, 2 ** 32 + 1, 2 ** 52].map(first)).size).toBe(9);
  });
});

describe('Generator state', () => {
  it('getState/setState resume the exact stream, including a pending normal', () => {
    const g = new Generator(7);
    g.normal(); // leaves a spare
    const state = g.getState();
    expect(state.spareNormal).not.toBeNull();
    const ahead = [g.normal(), g.uniform(), g.nextUint32()];
    g.setState(state);
    expect([g.normal(), g.uniform(), g.nextUint32()]).toEqual(ahead);
    const copy = new Generator(123).setState(JSON.parse(JSON.stringify(state)));
    copy.normal();
    expect(copy.uniform()).toBe(ahead[1]);
  });

  it('clone continues independently; manualSeed restarts', () => {
    const g = new Generator(5);
    g.uniform();
    const c = g.clone();
    expect(c.uniform()).toBe(g.uniform());
    c.uniform();
    expect(c.uniform()).not.toBe(g.uniform());
    const restarted = g.manualSeed(5);
    expect(restarted).toBe(g);
    expect(g.nextUint32()).toBe(new Generator(5).nextUint32());
  });

  it('manualSeed replaces the default generator', () => {
    const g = manualSeed(99);
    expect(defaultGenerator()).toBe(g);
    expect(g.nextUint32()).toBe(new Generator(99).nextUint32());
  });
});

describe('Generator distributions', () => {
  const g = new Generator(2024);
  const n = 100_000;

  it('uniform and uniform24 lie in [0, 1) with mean 1/2 and variance 1/12', () => {
    for (const draw of [() => g.uniform(), () => g.uniform24()]) {
      let sum = 0;
      let sq = 0;
      let outside = 0;
      for (let i = 0; i < n; i++) {
        const u = draw();
        if (!(u >= 0 && u < 1)) outside++;
        sum += u;
        sq += u * u;
      }
      expect(outside).toBe(0);
      const mean = sum / n;
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.005); // ~5 standard errors
      expect(Math.abs(sq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
    }
  });

  it('uniform24 values are exact float32 numbers that never round up to 1', () => {
    for (let i = 0; i < 1000; i++) {
      const u = g.uniform24();
      expect(Math.fround(u)).toBe(u);
      expect(Math.fround(u) < 1).toBe(true);
    }
  });

  it('normal has mean 0, variance 1 and 68.3% of mass within one sigma', () => {
    let sum = 0;
    let sq = 0;
    let within = 0;
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const z = g.normal();
      if (!Number.isFinite(z)) bad++;
      sum += z;
      sq += z * z;
      if (Math.abs(z) < 1) within++;
    }
    expect(bad).toBe(0);
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.03);
    expect(Math.abs(within / n - 0.6827)).toBeLessThan(0.01);
  });

  it('integer covers [low, high) evenly', () => {
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[g.integer(-3, 4) + 3]!++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(70_000); // every draw landed in [-3, 4)
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('rejects bad seeds and ranges', () => {
    expect(errorOf(() => new Generator(0.5))).toEqual({
      name: 'RangeError',
      message: 'Generator: seed must be a safe integer, got 0.5',
    });
    expect(errorOf(() => new Generator(2 ** 53))).toMatchObject({ name: 'RangeError' });
    expect(errorOf(() => g.integer(3, 3))).toEqual({
      name: 'RangeError',
      message: 'Generator.integer: need integers with 0 < high - low <= 2^32, got [3, 3)',
    });
    expect(errorOf(() => g.integer(0, 2 ** 32 + 1))).toMatchObject({ name: 'RangeError' });
    expect(errorOf(() => g.integer(0.5, 3))).toMatchObject({ name: 'RangeError' });
  });
});
