import { Parameter } from '@proj/nn';
import { Tensor, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { Adam, AdamW } from './adam.js';
import fixture from './fixtures/torch-optimizers.json' with { type: 'json' };
import type { Optimizer } from './optimizer.js';
import { SGD } from './sgd.js';

interface Case {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  groups: string | null;
  lrs: number[] | null;
  after: { w: number[]; b: number[] }[];
}
const cases = fixture.cases as Case[];

const ctor = { SGD, Adam, AdamW } as const;

function params(): [Parameter, Parameter] {
  return [
    new Parameter(tensor(Float32Array.from(fixture.w0), { shape: fixture.wShape })),
    new Parameter(tensor(Float32Array.from(fixture.b0), { shape: fixture.bShape })),
  ];
}

function camel(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options).map(([k, v]) => [k.replace(/_(\w)/g, (_, c) => c.toUpperCase()), v]),
  );
}

function build(c: Case, w: Parameter, b: Parameter): Optimizer<{ lr: number }> {
  const options = camel(c.options);
  const Ctor = ctor[c.optimizer as keyof typeof ctor] as unknown as new (
    p: unknown,
    o: unknown,
  ) => Optimizer<{ lr: number }>;
  if (c.groups === 'decay-2d')
    return new Ctor(
      [
        { params: [w], weightDecay: options.weightDecay },
        { params: [b], weightDecay: 0 },
      ],
      options,
    );
  if (c.groups === 'b-lr')
    return new Ctor([{ params: [w] }, { params: [b], lr: 0.1, weightDecay: 0 }], options);
  return new Ctor([w, b], options);
}

function setGrads(w: Parameter, b: Parameter, step: number): void {
  const g = fixture.grads[step]!;
  w.grad = tensor(Float32Array.from(g.w), { shape: fixture.wShape });
  b.grad = tensor(Float32Array.from(g.b), { shape: fixture.bShape });
}

function expectClose(actual: Tensor, expected: number[]): void {
  const got = [...actual.data()];
  expect(got).toHaveLength(expected.length);
  for (let i = 0; i < got.length; i++)
    expect(Math.abs(got[i]! - expected[i]!)).toBeLessThan(2e-6 * (1 + Math.abs(expected[i]!)));
}

describe('optimizers match torch.optim (torch 1.13 fixture, five steps)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const [w, b] = params();
      const opt = build(c, w, b);
      c.after.forEach((expected, step) => {
        if (c.lrs) for (const g of opt.paramGroups) g.lr = c.lrs[step]!;
        setGrads(w, b, step);
        opt.step();
        expectClose(w.data, expected.w);
        expectClose(b.data, expected.b);
      });
    });
  }
});

describe('Optimizer state', () => {
  it('updates in place: the parameter keeps its storage', () => {
    const [w, b] = params();
    const storage = w.data.storage;
    const opt = new AdamW([w, b]);
    setGrads(w, b, 0);
    opt.step();
    expect(w.data.storage).toBe(storage);
    expect([...w.data.data()]).not.toEqual(fixture.w0);
  });

  it('skips parameters without a gradient and zeroGrad clears gradients', () => {
    const [w, b] = params();
    const opt = new SGD([w, b], { lr: 0.1 });
    setGrads(w, b, 0);
    b.grad = null;
    opt.step();
    expect([...b.data.data()]).toEqual([...Float32Array.from(fixture.b0)]);
    opt.zeroGrad();
    expect(w.grad).toBeNull();
  });

  it('stateDict/loadStateDict resume bitwise: 2 + save + 3 steps equals 5 straight steps', () => {
    for (const c of cases) {
      const [w1, b1] = params();
      const straight = build(c, w1, b1);
      const [w2, b2] = params();
      let resumed = build(c, w2, b2);
      for (let step = 0; step < 5; step++) {
        for (const [opt, w, b] of [
          [straight, w1, b1],
          [resumed, w2, b2],
        ] as const) {
          if (c.lrs) for (const g of opt.paramGroups) g.lr = c.lrs[step]!;
          setGrads(w, b, step);
          opt.step();
        }
        if (step === 1) {
          const saved = resumed.stateDict();
          const wData = w2.data.clone();
          const bData = b2.data.clone();
          [w2.data, b2.data] = [params()[0].data, params()[1].data];
          w2.data.assign(wData);
          b2.data.assign(bData);
          resumed = build({ ...c, options: { ...c.options, lr: 123 } }, w2, b2);
          resumed.loadStateDict(JSON.parse(JSON.stringify(saved, replacer), reviver));
          expect(resumed.paramGroups[0]!.lr).toBe(straight.paramGroups[0]!.lr);
        }
      }
      expect([...w2.data.data()]).toEqual([...w1.data.data()]);
      expect([...b2.data.data()]).toEqual([...b1.data.data()]);
    }
  });

  it('loadStateDict rejects a state of another shape or group layout', () => {
    const [w, b] = params();
    const opt = new Adam([w, b]);
    setGrads(w, b, 0);
    opt.step();
    const saved = opt.stateDict();
    const other = new Adam([b, w]);
    expect(() => other.loadStateDict(saved)).toThrow(
      /expAvg of parameter 0 has shape \[3, 4\], parameter has \[4\]/,
    );
    const grouped = new Adam([{ params: [w] }, { params: [b] }]);
    expect(() => grouped.loadStateDict(saved)).toThrow(/1 groups, optimizer has 2/);
    const ams = new Adam([w, b], { amsgrad: true });
    expect(() => ams.loadStateDict(saved)).toThrow(/buffers/);
  });

  it('validates options and parameters', () => {
    const [w, b] = params();
    expect(() => new SGD([w], { lr: -1 })).toThrow(/invalid lr -1/);
    expect(() => new SGD([w], { nesterov: true })).toThrow(/Nesterov/);
    expect(() => new Adam([w], { betas: [0.9, 1] })).toThrow(/beta parameter at index 1/);
    expect(() => new AdamW([w, w])).toThrow(/more than one parameter group/);
    expect(() => new AdamW([])).toThrow(/empty parameter list/);
    expect(() => new AdamW([{ params: [w] }, { params: [b], weightDecay: -0.1 }])).toThrow(/weightDecay/);
  });

  it('trains float64 parameters with float64 moments', () => {
    const p = new Parameter(tensor([1, 2], { dtype: 'float64' }));
    const opt = new Adam([p], { lr: 0.1 });
    p.grad = tensor([0.5, -0.5], { dtype: 'float64' });
    opt.step();
    // First Adam step moves each weight by lr·sign(g) (m̂/√v̂ = ±1, up to eps).
    expect([...p.data.data()].map((v) => Number(v.toFixed(6)))).toEqual([0.9, 2.1]);
    expect(opt.stateDict().state[0]!.buffers.expAvg!.dtype).toBe('float64');
  });
});

// Tensors survive JSON the way a checkpoint file would carry them.
function replacer(_key: string, value: unknown): unknown {
  return value instanceof Tensor
    ? { __tensor: [...value.data()], shape: value.shape, dtype: value.dtype }
    : value;
}
function reviver(_key: string, value: unknown): unknown {
  const v = value as { __tensor?: number[]; shape: number[]; dtype: 'float32' };
  return v && typeof v === 'object' && v.__tensor
    ? tensor(v.__tensor, { shape: v.shape, dtype: v.dtype })
    : value;
}
