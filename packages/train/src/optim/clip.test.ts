import { Parameter } from '@proj/nn';
import { tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { clipGradNorm } from './clip.js';
import fixture from './fixtures/torch-optimizers.json' with { type: 'json' };

function withGrads(): [Parameter, Parameter] {
  const w = new Parameter(tensor(Float32Array.from(fixture.w0), { shape: fixture.wShape }));
  const b = new Parameter(tensor(Float32Array.from(fixture.b0), { shape: fixture.bShape }));
  w.grad = tensor(Float32Array.from(fixture.grads[0]!.w), { shape: fixture.wShape });
  b.grad = tensor(Float32Array.from(fixture.grads[0]!.b), { shape: fixture.bShape });
  return [w, b];
}

describe('clipGradNorm', () => {
  for (const c of fixture.clips) {
    it(`matches torch.nn.utils.clip_grad_norm_ (maxNorm ${c.maxNorm}, norm ${c.normType})`, () => {
      const [w, b] = withGrads();
      const normType = c.normType === 'inf' ? Infinity : Number(c.normType);
      const total = clipGradNorm([w, b], c.maxNorm, { normType });
      expect(total).toBeCloseTo(c.total, 5);
      [...w.grad!.data()].forEach((v, i) => expect(v).toBeCloseTo(c.w[i]!, 6));
      [...b.grad!.data()].forEach((v, i) => expect(v).toBeCloseTo(c.b[i]!, 6));
    });
  }

  it('hand-computed: grads [3, 4] and [12] have norm 13, scaled by 1/(13 + 1e-6)', () => {
    const a = new Parameter(tensor([0, 0]));
    const b = new Parameter(tensor([0]));
    const idle = new Parameter(tensor([5]));
    a.grad = tensor([3, 4]);
    b.grad = tensor([12]);
    expect(clipGradNorm([a, b, idle], 1)).toBeCloseTo(13, 6);
    expect(a.grad.toArray()).toEqual([Math.fround(3 / (13 + 1e-6)), Math.fround(4 / (13 + 1e-6))]);
    expect(idle.grad).toBeNull();
  });

  it('sums every element of long gradients of any length (the 4-way partial sums and their tail)', () => {
    for (const n of [5, 7, 1001]) {
      const values = Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i + 1) * (1 + (i % 3))));
      const p = new Parameter(tensor(new Float32Array(n)));
      p.grad = tensor(Float32Array.from(values));
      const want = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
      expect(clipGradNorm([p], 1e9)).toBeCloseTo(want, 10);
    }
  });

  it('validates and can refuse a non-finite norm', () => {
    const a = new Parameter(tensor([0]));
    a.grad = tensor([Number.NaN]);
    expect(() => clipGradNorm([a], -1)).toThrow(/maxNorm/);
    expect(() => clipGradNorm([a], 1, { errorIfNonfinite: true })).toThrow(/NaN/);
    expect(clipGradNorm([], 1)).toBe(0);
  });
});
