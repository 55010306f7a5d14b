import { describe, expect, it } from 'vitest';
import type { DType } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { assertClose, backendNames, valuesOf, withBackend } from '../testing/index.js';
import { arange, tensor, zeros } from './creation.js';
import {
  abs,
  ceil,
  clamp,
  cos,
  erf,
  exp,
  floor,
  gelu,
  log,
  logicalNot,
  neg,
  reciprocal,
  relu,
  round,
  rsqrt,
  sigmoid,
  sign,
  silu,
  sin,
  sqrt,
  square,
  tanh,
} from './unary.js';

const { NaN: nan, POSITIVE_INFINITY: inf, NEGATIVE_INFINITY: ninf } = Number;
/** Inputs with the awkward cases: signed zeros, infinities, NaN, large and tiny magnitudes. */
const specials = [-1e30, -20, -2.5, -1, -0.5, -1e-8, -0, 0, 1e-8, 0.5, 1, 2.5, 20, 1e30, inf, ninf, nan];

/** Each op against a float64 formula written independently here. */
const references: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
  ['neg', neg, (v) => -v],
  ['exp', exp, Math.exp],
  ['log', log, Math.log],
  ['sqrt', sqrt, Math.sqrt],
  ['rsqrt', rsqrt, (v) => 1 / Math.sqrt(v)],
  ['tanh', tanh, Math.tanh],
  ['sigmoid', sigmoid, (v) => 1 / (1 + Math.exp(-v))],
  ['relu', relu, (v) => (Number.isNaN(v) ? v : Math.max(v, 0))],
  ['silu', silu, (v) => v / (1 + Math.exp(-v))], // NaN at -inf, as PyTorch
  ['abs', abs, Math.abs],
  ['sign', sign, Math.sign],
  ['square', square, (v) => v * v],
  ['reciprocal', reciprocal, (v) => 1 / v],
  ['sin', sin, Math.sin],
  ['cos', cos, Math.cos],
  ['floor', floor, Math.floor],
  ['ceil', ceil, Math.ceil],
];

describe.each(backendNames())('unary ops against float64 references (%s backend)', (backend) => {
  it.each(references)('%s (float64, exact)', (_name, op, ref) =>
    withBackend(backend, () => {
      const out = op(tensor(specials, { dtype: 'float64' }));
      expect(out.dtype).toBe('float64');
      assertClose(out, specials.map(ref), { rtol: 1e-15 });
    }),
  );

  it.each(references)('%s (float32, rounded once)', (_name, op, ref) =>
    withBackend(backend, () => {
      const x = tensor(specials);
      const want = valuesOf(x).map((v) => Math.fround(ref(v)));
      assertClose(op(x), want, { rtol: 1e-7 });
    }),
  );

  it.each(references)('%s of a non-contiguous view equals the op on its values', (_name, op, ref) =>
    withBackend(backend, () => {
      const base = tensor([-2, -1, -0.5, 0.25, 0.5, 1, 2, 3], { dtype: 'float64' }).reshape([2, 4]);
      const view = base.transpose().slice(0, 1, 4, 2); // [[-1, 2], [0.5, 3]], read through strides
      const out = op(view);
      expect(out.shape).toEqual([2, 2]);
      assertClose(out, tensor(valuesOf(view).map(ref), { dtype: 'float64', shape: [2, 2] }), { rtol: 1e-15 });
    }),
  );
});

describe.each(backendNames())('gelu (%s backend)', (backend) => {
  // The JS kernels are the reference; faster backends may trade a little float32 accuracy.
  const slack = backend === 'js' ? 1 : 10;
  // 0.5·x·erfc(-x/√2) from Python's math.erfc.
  const xs = [-8, -5, -3, -1, -0.001, 0.001, 1, 3];
  const want = [
    -4.9767684594174555e-15, -1.4332578593959731e-6, -0.004049694094890287, -0.15865525393145707,
    -0.000499601057786089, 0.000500398942213911, 0.8413447460685429, 2.99595030590511,
  ];

  it('float64 erf form matches math.erfc to ~1e-13 relative, tails included', () =>
    withBackend(backend, () => {
      assertClose(gelu(tensor(xs, { dtype: 'float64' })), want, { rtol: 1e-13 });
    }));

  it('float32 keeps relative precision in the negative tail', () =>
    withBackend(backend, () => {
      assertClose(gelu(tensor(xs)), want, { rtol: 5e-7 * slack });
    }));

  it('tanh form matches the GPT-2 formula', () =>
    withBackend(backend, () => {
      const values = [-3, -1, 0.5, 1, 3];
      const gpt2 = [
        -0.0036373920817729943, -0.15880800939172324, 0.34571400982514394, 0.8411919906082768,
        2.996362607918227,
      ];
      assertClose(gelu(tensor(values, { dtype: 'float64' }), { approximate: 'tanh' }), gpt2, { rtol: 1e-14 });
      assertClose(gelu(tensor(values), { approximate: 'tanh' }), gpt2, { rtol: 2e-7 * slack });
    }));

  it('is 0 at 0, x for large x, NaN for NaN; ints compute in float32', () =>
    withBackend(backend, () => {
      expect(valuesOf(gelu(tensor([0, 50, nan], { dtype: 'float64' })))).toEqual([0, 50, nan]);
      const g = gelu(arange(3));
      expect(g.dtype).toBe('float32');
      assertClose(g, [0, 0.8413447460685429, 1.9544997361036416], { rtol: 5e-7 * slack });
    }));
});

describe.each(backendNames())('erf (%s backend)', (backend) => {
  // Python's math.erf.
  const xs = [1e-5, 0.5, 1, -2, 3, -4.5];
  const want = [
    1.1283791670579e-5, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527, 0.9999779095030014,
    -0.9999999998033839,
  ];

  it('matches math.erf in float64 and float32 (relative error, small inputs included)', () =>
    withBackend(backend, () => {
      assertClose(erf(tensor(xs, { dtype: 'float64' })), want, { rtol: 2e-15 });
      assertClose(erf(tensor(xs)), want, { rtol: 3e-7 });
    }));

  it('matches Simpson integration of 2/√π·exp(-t²) across [-6, 6]', () =>
    withBackend(backend, () => {
      const simpson = (x: number): number => {
        const n = 2000;
        const h = x / n;
        let s = 0;
        for (let i = 0; i <= n; i++) {
          const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
          s += w * Math.exp(-((i * h) ** 2));
        }
        return ((s * h) / 3) * (2 / Math.sqrt(Math.PI));
      };
      const grid = Array.from({ length: 121 }, (_, i) => -6 + i * 0.1);
      const ref = grid.map(simpson);
      assertClose(erf(tensor(grid, { dtype: 'float64' })), ref, { atol: 1e-13 });
      assertClose(erf(tensor(grid)), ref, { atol: 2e-7, rtol: 2e-7 });
      expect(valuesOf(erf(tensor([inf, ninf, nan], { dtype: 'float64' })))).toEqual([1, -1, nan]);
    }));
});

describe('round', () => {
  it('rounds half to even, for negatives too', () => {
    const x = [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -2.4, -2.6, 2.4999, 1e20, -7];
    const want = [-4, -2, -2, -0, 0, 2, 2, 4, -2, -3, 2, 1e20, -7];
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const out = valuesOf(round(tensor(x, { dtype })));
      expect(out).toEqual(want.map((v) => (dtype === 'float32' ? Math.fround(v) : v)));
      expect(Object.is(out[3], -0)).toBe(true);
    }
  });
});

describe('dtype rules', () => {
  it('neg, abs, sign, square, relu, floor, ceil, round keep int32', () => {
    const x = tensor([-3, 0, 2], { dtype: 'int32' });
    const keep: [(t: Tensor) => Tensor, number[]][] = [
      [neg, [3, 0, -2]],
      [abs, [3, 0, 2]],
      [sign, [-1, 0, 1]],
      [square, [9, 0, 4]],
      [relu, [0, 0, 2]],
      [floor, [-3, 0, 2]],
      [ceil, [-3, 0, 2]],
      [round, [-3, 0, 2]],
    ];
    for (const [op, want] of keep) {
      const out = op(x);
      expect(out.dtype).toBe('int32');
      expect(out.toArray()).toEqual(want);
    }
  });

  it('those ops turn bool into int32; everything else computes in float32', () => {
    const b = tensor([true, false]);
    expect(neg(b).dtype).toBe('int32');
    expect(neg(b).toArray()).toEqual([-1, 0]);
    expect(abs(b).toArray()).toEqual([1, 0]);
    const e = exp(tensor([0, 1], { dtype: 'int32' }));
    expect(e.dtype).toBe('float32');
    assertClose(e, [1, Math.E], { rtol: 1e-7 });
    expect(sigmoid(b).dtype).toBe('float32');
    expect(sqrt(tensor([4], { dtype: 'int32' })).toArray()).toEqual([2]);
  });

  it('logicalNot gives bool for every dtype (NaN is true)', () => {
    expect(logicalNot(tensor([0, 1.5, nan, -0])).toArray()).toEqual([true, false, false, true]);
    expect(logicalNot(tensor([true, false])).toArray()).toEqual([false, true]);
    expect(logicalNot(tensor([0, 7], { dtype: 'int32' })).dtype).toBe('bool');
  });

  it('keeps shape for 0-d and empty tensors', () => {
    expect(exp(tensor(0)).shape).toEqual([]);
    expect(exp(tensor(0)).item()).toBe(1);
    expect(tanh(zeros([2, 0])).shape).toEqual([2, 0]);
  });
});

describe('clamp', () => {
  it('clamps with either or both bounds, propagating NaN', () => {
    const x = tensor([-2, -0.5, 0.5, 2, nan]);
    expect(valuesOf(clamp(x, -1, 1))).toEqual([-1, -0.5, 0.5, 1, nan]);
    expect(valuesOf(clamp(x, 0))).toEqual([0, 0, 0.5, 2, nan]);
    expect(valuesOf(clamp(x, undefined, 0))).toEqual([-2, -0.5, 0, 0, nan]);
    expect(valuesOf(clamp(x, 1, -1))).toEqual([-1, -1, -1, -1, nan]); // min > max gives max, as PyTorch
  });

  it('returns a copy when no bound is given, and follows scalar dtype rules', () => {
    const x = tensor([1, 2]);
    const c = clamp(x);
    expect(c).not.toBe(x);
    expect(c.storage).not.toBe(x.storage);
    const i = clamp(tensor([-5, 5], { dtype: 'int32' }), -1, 1);
    expect(i.dtype).toBe('int32');
    expect(i.toArray()).toEqual([-1, 1]);
    expect(clamp(tensor([-5, 5], { dtype: 'int32' }), -0.5).dtype).toBe('float32');
  });

  it('clamps non-contiguous views', () => {
    const v = tensor([
      [-3, 3],
      [1, -1],
    ]).transpose();
    assertClose(clamp(v, -2, 2), [
      [-2, 1],
      [2, -1],
    ]);
  });
});

it('Tensor is constructed with fresh storage by every unary op', () => {
  const x = tensor([1, 2]);
  expect(neg(x).storage).not.toBe(x.storage);
  expect(relu(x)).toBeInstanceOf(Tensor);
});
