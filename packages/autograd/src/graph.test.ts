import { tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { type Variable, variable } from './index.js';

const f64 = (values: number[]) => tensor(values, { dtype: 'float64' });

describe('backward engine', () => {
  it('sums the gradients of a Variable used several times in one graph', () => {
    const x = variable(f64([1, -2, 3]), { requiresGrad: true });
    // y = x·x + x + x³ → dy/dx = 2x + 1 + 3x²
    x.mul(x).add(x).add(x.pow(3)).sum().backward();
    expect(x.grad!.toArray()).toEqual([6, 9, 34]);
  });

  it('handles a diamond: two paths from one node meet again', () => {
    const x = variable(f64([0.5, -1]), { requiresGrad: true });
    const a = x.exp();
    const b = a.sin();
    const c = a.cos();
    b.mul(c).sum().backward();
    // d/dx sin(e^x)cos(e^x) = e^x · cos(2e^x)
    const expected = [0.5, -1].map((v) => Math.exp(v) * Math.cos(2 * Math.exp(v)));
    const got = x.grad!.toArray() as number[];
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 12));
  });

  it('backpropagates through a 100,000-node chain without overflowing the stack', () => {
    const x = variable(f64([1]), { requiresGrad: true });
    const c = f64([1 + 2e-6]);
    let y: Variable = x;
    // 50,000 products and 50,000 views (cheap nodes keep the test fast).
    for (let i = 0; i < 100_000; i++) y = i % 2 ? y.reshape([1]) : y.mul(c);
    y.sum().backward();
    // d/dx x·c^50000 = c^50000: every product node passed the gradient on.
    expect(x.grad!.item()).toBeCloseTo((1 + 2e-6) ** 50_000, 9);
  }, 60_000); // about a second on an idle laptop; the generous timeout only guards loaded machines

  it('frees the graph: a second backward through it fails with a clear error', () => {
    const x = variable(f64([1, 2]), { requiresGrad: true });
    const loss = x.exp().sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(/already freed.*retainGraph: true/);
  });

  it('frees each node once used: a graph sharing a freed subgraph fails too', () => {
    const x = variable(f64([1, 2]), { requiresGrad: true });
    const h = x.exp();
    h.sum().backward();
    expect(() => h.mul(2).sum().backward()).toThrow(/through 'exp' was already freed/);
  });

  it('releases each node after backward: its rule and its edges to the inputs (activations can be collected)', () => {
    const x = variable(f64([1, 2]), { requiresGrad: true });
    const h = x.exp();
    const loss = h.mul(h).sum();
    expect(loss.gradFn!.inputs).toHaveLength(1);
    loss.backward();
    for (const node of [loss, h]) {
      expect(node.gradFn!.freed).toBe(true);
      expect(node.gradFn!.inputs).toEqual([]);
    }
  });

  it('with retainGraph, backward runs twice and the gradients add up', () => {
    const x = variable(f64([1, 2]), { requiresGrad: true });
    const loss = x.square().sum();
    loss.backward(undefined, { retainGraph: true });
    loss.backward();
    expect(x.grad!.toArray()).toEqual([4, 8]);
    expect(() => loss.backward()).toThrow(/already freed/);
  });

  it('marks results of recorded ops as non-leaves with their op', () => {
    const x = variable(f64([1]), { requiresGrad: true });
    const y = x.mul(2);
    expect(y.isLeaf).toBe(false);
    expect(y.gradFn!.op).toBe('mul');
    expect(y.gradFn!.inputs[0]).toBe(x);
    expect(y.grad).toBeNull();
  });

  it('stops at constants: only the requiring branch is walked', () => {
    const x = variable(f64([3]), { requiresGrad: true });
    const c = variable(f64([4]));
    const z = c.exp().mul(x).add(c.square());
    expect(z.requiresGrad).toBe(true);
    z.sum().backward();
    expect(x.grad!.item()).toBeCloseTo(Math.exp(4), 12);
    expect(c.grad).toBeNull();
  });
});
