import type { Variable } from '@proj/autograd';
import { Generator, ones, randn, type Tensor, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { Dropout, GELU, ReLU, Sequential, SiLU, Tanh } from './activation.js';
import { Linear } from './linear.js';

const f64 = { dtype: 'float64' as const };

describe('activations', () => {
  it('match known values', () => {
    const x = tensor([-1, 0, 1], f64);
    const at = (m: { forward(v: Tensor): Variable }) => m.forward(x).toArray() as number[];
    // Φ(1) = 0.8413447460685429; GPT-2's tanh form gives 0.8411919906082768 at 1
    at(new GELU()).forEach((v, i) =>
      expect(v).toBeCloseTo([-0.15865525393145707, 0, 0.8413447460685429][i]!, 7),
    );
    at(new GELU('tanh')).forEach((v, i) =>
      expect(v).toBeCloseTo([-0.15880800939172324, 0, 0.8411919906082768][i]!, 7),
    );
    expect(at(new ReLU())).toEqual([0, 0, 1]);
    at(new SiLU()).forEach((v, i) =>
      expect(v).toBeCloseTo([-0.2689414213699951, 0, 0.7310585786300049][i]!, 12),
    );
    at(new Tanh()).forEach((v, i) => expect(v).toBeCloseTo(Math.tanh([-1, 0, 1][i]!), 12));
  });

  it('pass gradcheck away from kinks', () => {
    const x = tensor([-1.3, -0.4, 0.2, 0.9, 2.1], f64);
    for (const m of [new GELU(), new GELU('tanh'), new ReLU(), new SiLU(), new Tanh()])
      expect(gradcheckModule(m, (v) => m.forward(v), [x]).ok).toBe(true);
  });
});

describe('Dropout', () => {
  it('zeroes about p of the entries and scales the rest by 1/(1−p), in training mode only', () => {
    const drop = new Dropout(0.25, new Generator(0));
    const out = Array.from(drop.forward(ones([10000])).data.data());
    const zeroed = out.filter((v) => v === 0).length / out.length;
    expect(zeroed).toBeCloseTo(0.25, 1);
    expect(out.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    drop.eval();
    expect(Array.from(drop.forward(ones([100])).data.data()).every((v) => v === 1)).toBe(true);
  });

  it('is reproducible from its generator and validates p', () => {
    const mask = (seed: number) =>
      Array.from(new Dropout(0.5, new Generator(seed)).forward(ones([64])).data.data());
    expect(mask(3)).toEqual(mask(3));
    expect(mask(3)).not.toEqual(mask(4));
    expect(() => new Dropout(1)).toThrow(/p must be in \[0, 1\), got 1/);
  });
});

describe('Sequential', () => {
  it('chains layers and names their parameters by position', () => {
    const net = new Sequential(new Linear(3, 4, f64), new Tanh(), new Linear(4, 2, f64));
    expect(net.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    const x = randn([5, 3], { ...f64, generator: new Generator(1) });
    const [first, act, last] = net._layers as [Linear, Tanh, Linear];
    expect(net.forward(x).toArray()).toEqual(last.forward(act.forward(first.forward(x))).toArray());
    expect(gradcheckModule(net, (v) => net.forward(v), [x]).ok).toBe(true);
    net.eval();
    expect(first.training).toBe(false);
  });
});
