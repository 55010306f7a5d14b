import { gradcheck, Variable } from '@proj/autograd';
import { Generator, randn, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { LearnedPositionalEmbedding } from './learned.js';
import { RotaryEmbedding } from './rotary.js';
import { SinusoidalPositionalEncoding, sinusoidalEncoding } from './sinusoidal.js';

const f64 = { dtype: 'float64' as const };

describe('sinusoidal encoding', () => {
  it('matches the formula of "Attention Is All You Need"', () => {
    const pe = sinusoidalEncoding(3, 4, f64).toArray() as number[][];
    expect(pe[0]).toEqual([0, 1, 0, 1]);
    const f = 1 / 10000 ** (2 / 4);
    expect(pe[2]).toEqual([Math.sin(2), Math.cos(2), Math.sin(2 * f), Math.cos(2 * f)]);
    expect(sinusoidalEncoding(1, 3, { ...f64, offset: 2 }).toArray()).toEqual([
      [Math.sin(2), Math.cos(2), Math.sin(2 / 10000 ** (2 / 3))],
    ]);
    const module = new SinusoidalPositionalEncoding(4, f64);
    expect(module.numParameters()).toBe(0);
    expect(module.forward(2, 1).toArray()).toEqual(pe.slice(1, 3));
    expect(() => sinusoidalEncoding(2, 0)).toThrow(/dim > 0/);
  });
});

describe('LearnedPositionalEmbedding', () => {
  it('returns rows offset…offset+T−1 and trains only those rows', () => {
    const wpe = new LearnedPositionalEmbedding(6, 2, { ...f64, generator: new Generator(0) });
    const rows = wpe.weight.toArray() as number[][];
    expect(wpe.forward(3, 2).toArray()).toEqual(rows.slice(2, 5));
    wpe.forward(2, 1).sum().backward();
    expect(wpe.weight.grad!.toArray()).toEqual([
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(gradcheckModule(wpe, () => wpe.forward(4, 1).square(), []).ok).toBe(true);
    expect(() => wpe.forward(3, 4)).toThrow(/positions 4\.\.6 exceed maxLength 6/);
  });
});

describe('RotaryEmbedding', () => {
  it('rotates each (i, i + dim/2) pair by position · base^(−2i/dim)', () => {
    const rope = new RotaryEmbedding(4, { base: 100 });
    const x = tensor([[1, 2, 3, 4]], f64); // one position, dim 4: pairs (1, 3) and (2, 4)
    const p = 5;
    const [a0, a1] = [p, p / 100 ** (2 / 4)];
    const out = rope.apply(x, p).toArray() as number[][];
    const expected = [
      1 * Math.cos(a0) - 3 * Math.sin(a0),
      2 * Math.cos(a1) - 4 * Math.sin(a1),
      3 * Math.cos(a0) + 1 * Math.sin(a0),
      4 * Math.cos(a1) + 2 * Math.sin(a1),
    ];
    out[0]!.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    expect(rope.apply(x, 0).toArray()).toEqual(x.toArray());
  });

  it('makes q·k depend only on the distance between positions', () => {
    const rope = new RotaryEmbedding(8);
    const q = randn([1, 8], { ...f64, generator: new Generator(1) });
    const k = randn([1, 8], { ...f64, generator: new Generator(2) });
    const dot = (m: number, n: number) => rope.apply(q, m).mul(rope.apply(k, n)).sum().item();
    expect(dot(7, 3)).toBeCloseTo(dot(4, 0), 12);
    expect(dot(20, 16)).toBeCloseTo(dot(4, 0), 12);
    expect(Math.abs(dot(5, 0) - dot(4, 0))).toBeGreaterThan(1e-6);
  });

  it('passes gradcheck and validates its input', () => {
    const rope = new RotaryEmbedding(4);
    const x = randn([2, 3, 4], { ...f64, generator: new Generator(3) });
    expect(gradcheck((v) => rope.apply(v, 2), [x]).ok).toBe(true);
    expect(() => new RotaryEmbedding(3)).toThrow(/positive even integer/);
    expect(() => rope.apply(new Variable(randn([2, 6])))).toThrow(/expected \[\.\.\., T, 4\], got \[2, 6\]/);
  });
});
