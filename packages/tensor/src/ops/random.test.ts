import { describe, expect, it } from 'vitest';
import reference from '../../fixtures/generator.json';
import { Generator, manualSeed } from '../random/generator.js';
import { errorOf, valuesOf } from '../testing/index.js';
import { tensor } from './creation.js';
import { bernoulli, multinomial, rand, randint, randn, randperm } from './random.js';

const gen = (seed: number) => new Generator(seed);

describe('rand and randn', () => {
  it('draw the generator stream: float32 from 24-bit uniforms, float64 from 53-bit ones', () => {
    const r = rand([2, 2], { generator: gen(42) });
    expect(r.dtype).toBe('float32');
    expect(r.shape).toEqual([2, 2]);
    // The first 4 uint32 of seed 42, each >>> 8 / 2^24 (the reference lists the raw words).
    expect(valuesOf(r)).toEqual(reference['42'].uint32.slice(0, 4).map((w) => (w >>> 8) / 16777216));
    const r64 = rand([3], { generator: gen(0), dtype: 'float64' });
    const g0 = gen(0);
    expect(valuesOf(r64)).toEqual([g0.uniform(), g0.uniform(), g0.uniform()]);
  });

  it('are deterministic per seed, and use the manualSeed default generator', () => {
    expect(valuesOf(randn([5], { generator: gen(3) }))).toEqual(valuesOf(randn([5], { generator: gen(3) })));
    manualSeed(11);
    const a = rand([4]);
    manualSeed(11);
    expect(valuesOf(rand([4]))).toEqual(valuesOf(a));
    expect(valuesOf(rand([4]))).not.toEqual(valuesOf(a));
  });

  it('randn matches the generator normals, scaled by std and shifted by mean', () => {
    const g = gen(0); // Generator.normal itself is checked against the Python reference
    const normals = Array.from({ length: 4 }, () => g.normal());
    expect(valuesOf(randn([4], { generator: gen(0), dtype: 'float64' }))).toEqual(normals);
    const s = randn([2], { generator: gen(0), dtype: 'float64', mean: 10, std: 2 });
    expect(valuesOf(s)).toEqual([10 + 2 * normals[0]!, 10 + 2 * normals[1]!]);
    expect(valuesOf(randn([2], { generator: gen(0) }))).toEqual(normals.slice(0, 2).map(Math.fround));
    const big = valuesOf(randn([20_000], { generator: gen(1), mean: -1, std: 0.5 }));
    const mean = big.reduce((a, b) => a + b, 0) / big.length;
    const sd = Math.sqrt(big.reduce((a, b) => a + (b - mean) ** 2, 0) / big.length);
    expect(Math.abs(mean + 1)).toBeLessThan(0.02);
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.02);
  });

  it('rand with low/high scales the same uniforms into [low, high)', () => {
    const g = gen(9);
    const want = Array.from({ length: 5 }, () => Math.fround(g.uniform24() * 4 - 3));
    const r = rand([5], { generator: gen(9), low: -3, high: 1 });
    expect(valuesOf(r)).toEqual(want);
    expect(valuesOf(r).every((v) => v >= -3 && v < 1)).toBe(true);
    expect(errorOf(() => rand([1], { low: 2, high: 1 }))).toEqual({
      name: 'RangeError',
      message: 'Generator.fillUniform: need finite low <= high, got [2, 1)',
    });
  });

  it('handle empty and 0-d shapes; reject integer dtypes and bad shapes', () => {
    expect(rand([0, 3]).size).toBe(0);
    expect(randn([]).shape).toEqual([]);
    expect(errorOf(() => rand([2], { dtype: 'int32' }))).toEqual({
      name: 'DTypeError',
      message: 'rand: dtype must be float32 or float64, got int32',
    });
    expect(errorOf(() => randn([-1]))).toMatchObject({ name: 'ShapeError' });
  });
});

describe('randint and bernoulli', () => {
  it('randint draws int32 in [low, high) from the generator integers', () => {
    const r = randint(-3, 10, [6], { generator: gen(1) });
    expect(r.dtype).toBe('int32');
    const g = gen(1); // Generator.integer itself is checked against the Python reference
    expect(valuesOf(r)).toEqual(Array.from({ length: 6 }, () => g.integer(-3, 10)));
    const many = valuesOf(randint(0, 5, [10_000], { generator: gen(2) }));
    const counts = [0, 1, 2, 3, 4].map((k) => many.filter((v) => v === k).length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });

  it('randint validates its int32 range', () => {
    expect(errorOf(() => randint(5, 5, [1]))).toEqual({
      name: 'RangeError',
      message: 'randint: need integers with -2^31 <= low < high <= 2^31 (int32), got [5, 5)',
    });
    expect(errorOf(() => randint(0, 2 ** 32, [1]))).toMatchObject({ name: 'RangeError' });
    expect(errorOf(() => randint(0.5, 2, [1]))).toMatchObject({ name: 'RangeError' });
    expect(randint(-(2 ** 31), 2 ** 31, [3], { generator: gen(0) }).size).toBe(3);
  });

  it('randperm is a permutation built by swapping i with i + integer(0, n - i)', () => {
    const p = valuesOf(randperm(50, { generator: gen(3) }));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const g = gen(3);
    const want = [0, 1, 2, 3];
    for (let i = 0; i < 3; i++) {
      const j = i + g.integer(0, 4 - i);
      [want[i], want[j]] = [want[j]!, want[i]!];
    }
    expect(valuesOf(randperm(4, { generator: gen(3) }))).toEqual(want);
    expect(randperm(0).shape).toEqual([0]);
    expect(errorOf(() => randperm(-1))).toMatchObject({ name: 'RangeError', message: /randperm: n must be/ });
  });

  it('bernoulli gives bool masks with probability p', () => {
    expect(bernoulli([100], 0).toArray()).toEqual(new Array(100).fill(false));
    expect(bernoulli([100], 1).toArray()).toEqual(new Array(100).fill(true));
    const m = bernoulli([20_000], 0.3, { generator: gen(4) });
    expect(m.dtype).toBe('bool');
    const frac = valuesOf(m).reduce((a, b) => a + b, 0) / 20_000;
    expect(Math.abs(frac - 0.3)).toBeLessThan(0.015);
    expect(errorOf(() => bernoulli([1], 1.5))).toEqual({
      name: 'RangeError',
      message: 'bernoulli: p must be in [0, 1], got 1.5',
    });
    expect(errorOf(() => bernoulli([1], Number.NaN))).toMatchObject({ name: 'RangeError' });
  });
});

describe('multinomial', () => {
  it('with replacement, frequencies follow the (unnormalised) weights', () => {
    const w = tensor([1, 0, 3, 6]);
    const s = valuesOf(multinomial(w, 20_000, { replacement: true, generator: gen(5) }));
    const freq = [0, 1, 2, 3].map((k) => s.filter((v) => v === k).length / s.length);
    expect(freq[1]).toBe(0);
    expect(Math.abs(freq[0]! - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(freq[2]! - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(freq[3]! - 0.6)).toBeLessThan(0.015);
  });

  it('without replacement, draws distinct positive-weight categories (regression: never -1)', () => {
    for (let seed = 0; seed < 300; seed++) {
      const s = valuesOf(multinomial(tensor([0.1, 0.2, 0, 0.7]), 3, { generator: gen(seed) }));
      expect([...s].sort()).toEqual([0, 1, 3]);
    }
    expect(errorOf(() => multinomial(tensor([0.1, 0.2, 0, 0.7]), 4, { generator: gen(0) }))).toEqual({
      name: 'RangeError',
      message: 'multinomial: row 0 has no positive weight left to sample',
    });
  });

  it('without replacement, the first draw follows the weights', () => {
    let firstIsHeavy = 0;
    for (let seed = 0; seed < 2000; seed++) {
      if (
        multinomial(tensor([1, 3]), 2, { generator: gen(seed) })
          .toArray()
          .toString() === '1,0'
      )
        firstIsHeavy++;
    }
    expect(Math.abs(firstIsHeavy / 2000 - 0.75)).toBeLessThan(0.04);
  });

  it('samples each row of a 2-D input, deterministically per seed', () => {
    const probs = tensor([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    const s = multinomial(probs, 2, { replacement: true, generator: gen(1) });
    expect(s.dtype).toBe('int32');
    expect(s.toArray()).toEqual([
      [2, 2],
      [0, 0],
    ]);
    const a = multinomial(tensor([0.2, 0.3, 0.5]), 5, { replacement: true, generator: gen(8) });
    const b = multinomial(tensor([0.2, 0.3, 0.5]), 5, { replacement: true, generator: gen(8) });
    expect(valuesOf(a)).toEqual(valuesOf(b));
    expect(multinomial(tensor([1, 2]), 0).shape).toEqual([0]);
    const transposed = tensor([
      [0, 1],
      [1, 0],
    ]).transpose(); // rows [0, 1] and [1, 0], read through strides
    expect(multinomial(transposed, 1, { generator: gen(0) }).toArray()).toEqual([[1], [0]]);
  });

  it('errors', () => {
    expect(errorOf(() => multinomial(tensor(1), 1))).toEqual({
      name: 'ShapeError',
      message: 'multinomial: probs must be 1-D or 2-D, got []',
    });
    expect(errorOf(() => multinomial(tensor([0.5, -0.1]), 1))).toEqual({
      name: 'RangeError',
      message: 'multinomial: row 0 has a negative or non-finite weight -0.10000000149011612',
    });
    expect(
      errorOf(() =>
        multinomial(
          tensor([
            [1, 1],
            [Number.NaN, 1],
          ]),
          1,
        ),
      ),
    ).toMatchObject({ name: 'RangeError' });
    expect(errorOf(() => multinomial(tensor([Number.POSITIVE_INFINITY, 1]), 1))).toMatchObject({
      name: 'RangeError',
    });
    expect(errorOf(() => multinomial(tensor([0, 0]), 1, { replacement: true }))).toMatchObject({
      name: 'RangeError',
    });
    expect(errorOf(() => multinomial(tensor([1, 1]), 3))).toEqual({
      name: 'RangeError',
      message: 'multinomial: cannot draw 3 samples from 2 categories without replacement',
    });
    expect(errorOf(() => multinomial(tensor([1, 1]), -1))).toEqual({
      name: 'RangeError',
      message: 'multinomial: numSamples must be a non-negative integer, got -1',
    });
    expect(errorOf(() => multinomial(tensor([1, 1]), 1.5, { replacement: true }))).toMatchObject({
      name: 'RangeError',
    });
  });
});
