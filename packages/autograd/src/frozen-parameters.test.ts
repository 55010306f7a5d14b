import { Generator, randn } from '@proj/tensor';
import { getBackend } from '@proj/tensor/internal';
import { describe, expect, it, vi } from 'vitest';
import { linear, matmul, Variable, variable } from './index.js';

const g = new Generator(0);

/** `[m, n, k]` of every matrix product the backend computes while `fn` runs. */
function products(fn: () => void): [number, number, number][] {
  const spy = vi.spyOn(getBackend(), 'matmul');
  try {
    fn();
    return spy.mock.calls.map(([args]) => [args.m, args.n, args.k]);
  } finally {
    spy.mockRestore();
  }
}

describe('requiresGrad on leaves', () => {
  it('can be switched off and on, as PyTorch requires_grad_()', () => {
    const w = variable(randn([3, 2], { generator: g }), { requiresGrad: true });
    w.requiresGrad = false;
    expect(w.requiresGrad).toBe(false);
    expect(w.mul(2).requiresGrad).toBe(false); // nothing is recorded through a frozen leaf
    w.requiresGrad = true;
    expect(w.mul(2).requiresGrad).toBe(true);
  });

  it('cannot be changed on a Variable produced by an op, nor set on an integer one', () => {
    const y = variable(randn([2], { generator: g }), { requiresGrad: true }).exp();
    expect(() => {
      y.requiresGrad = false;
    }).toThrow(/only leaf Variables.*'exp'.*detach/);
    const ids = new Variable(randn([2], { generator: g }).to('int32'));
    expect(() => {
      ids.requiresGrad = true;
    }).toThrow(/only float tensors.*int32/);
  });
});

describe('a frozen weight', () => {
  it('gets no gradient computed in linear(): no [out, in] product runs in backward', () => {
    const x = variable(randn([5, 3], { generator: g }), { requiresGrad: true }); // (N, in)
    const w = variable(randn([4, 3], { generator: g }), { requiresGrad: true }); // (out, in)
    const b = variable(randn([4], { generator: g }), { requiresGrad: true });
    const trainable = products(() => linear(x, w, b).sum().backward());
    expect(trainable).toContainEqual([4, 3, 5]); // dW = dYᵀ·x: [4, 5]·[5, 3]
    x.zeroGrad();
    w.zeroGrad();
    b.zeroGrad();

    w.requiresGrad = false;
    b.requiresGrad = false;
    const frozen = products(() => linear(x, w, b).sum().backward());
    expect(frozen).toEqual([
      [5, 4, 3], // forward: x·Wᵀ
      [5, 3, 4], // dX = dY·W
    ]);
    expect(w.grad).toBeNull();
    expect(b.grad).toBeNull();
    expect(x.grad!.shape).toEqual([5, 3]);
  });

  it('gets no gradient computed on either side of matmul', () => {
    const w = variable(randn([4, 3], { generator: g })); // frozen, on the left
    const x = variable(randn([3, 6], { generator: g }), { requiresGrad: true });
    expect(products(() => matmul(w, x).sum().backward())).toEqual([
      [4, 6, 3], // forward
      [3, 6, 4], // dX = Wᵀ·dY; no dW = dY·Xᵀ of shape [4, 3]
    ]);
    expect(x.grad!.shape).toEqual([3, 6]);
  });
});
