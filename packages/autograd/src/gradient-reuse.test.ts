import { full, type Tensor, tensor } from '@proj/tensor';
import { storageReuseStats } from '@proj/tensor/internal';
import { describe, expect, it } from 'vitest';
import { GradFn, Variable, variable } from './index.js';

/**
 * The backward walk reuses the memory of gradients only it holds, and hands a leaf its first
 * gradient without a copy when nothing else holds it. These tests check that nothing anyone else
 * can still see is ever reused: stashed gradients, seeds, saved activations, shared gradients.
 */

const values = (n: number, scale = 1) => Float32Array.from({ length: n }, (_, i) => scale * Math.sin(i + 1));

/**
 * Takes every released array of `length` floats (and more) and overwrites it: anything still
 * visible that was released shows the fill value afterwards. Returns the tensors, to keep them alive.
 */
function drainReleased(length: number): Tensor[] {
  return Array.from({ length: 12 }, () => full([length], 12345));
}

/** `tanh` applied `depth` times: a chain whose every gradient is consumed by the next rule. */
function tanhChain(x: Variable, depth: number): Variable {
  let y = x;
  for (let i = 0; i < depth; i++) y = y.tanh();
  return y;
}

/** d/dx of the sum of `depth` nested tanh, in float64. */
function tanhChainGrad(x: Float32Array, depth: number): number[] {
  return [...x].map((v) => {
    let value = v;
    let slope = 1;
    for (let i = 0; i < depth; i++) {
      value = Math.tanh(value);
      slope *= 1 - value * value;
    }
    return slope;
  });
}

describe('gradient memory reuse in backward', () => {
  it('reuses consumed gradients, and the gradients stay right', () => {
    const data = values(4096);
    const before = storageReuseStats().reused;
    for (let round = 0; round < 3; round++) {
      const x = variable(tensor(data), { requiresGrad: true });
      tanhChain(x, 6).sum().backward();
      const want = tanhChainGrad(data, 6);
      (x.grad!.toArray() as number[]).forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 5));
    }
    expect(storageReuseStats().reused).toBeGreaterThan(before);
  });

  it('never reuses a gradient a hand-written rule may have kept, nor what it returned', () => {
    const stash: Tensor[] = [];
    /** The stashed values as the rule saw them, before the rest of the walk ran. */
    const seen: Float32Array[] = [];
    const logged = (x: Variable): Variable =>
      Variable.fromOp(
        x.data.mul(2),
        new GradFn('logged', [x], (g) => {
          const out = g.mul(2);
          stash.push(g, out);
          seen.push(Float32Array.from(g.data()), Float32Array.from(out.data()));
          return [out];
        }),
      );
    const x = variable(tensor(values(2048)), { requiresGrad: true });
    tanhChain(logged(tanhChain(x, 3)), 3)
      .sum()
      .backward();
    const before = storageReuseStats();
    const drained = drainReleased(2048);
    console.log(
      'DEBUG',
      JSON.stringify(before),
      JSON.stringify(storageReuseStats()),
      drained.some((d) => d.storage === stash[1]!.storage),
      stash[1]!.data()[0],
      seen[1]![0],
    );
    expect(stash.length).toBe(2);
    stash.forEach((t, i) => expect(t.data()).toEqual(seen[i]));
  });

  it("never reuses the caller's seed gradient or a saved activation", () => {
    const seed = tensor(values(1024, 0.25));
    const seedCopy = Float32Array.from(seed.data());
    const x = variable(tensor(values(1024)), { requiresGrad: true });
    const hidden = tanhChain(x, 2);
    const hiddenCopy = Float32Array.from(hidden.data.data());
    tanhChain(hidden, 3).backward(seed);
    drainReleased(1024);
    expect(seed.data()).toEqual(seedCopy);
    expect(hidden.data.data()).toEqual(hiddenCopy);
    // A seed that reaches leaves unchanged (a leaf's own backward, an add's pass-through) is copied.
    const leaf = variable(tensor(values(64)), { requiresGrad: true });
    const own = tensor(values(64, 3));
    leaf.backward(own);
    const [p, q] = [0, 1].map(() => variable(tensor(values(64)), { requiresGrad: true })) as [
      Variable,
      Variable,
    ];
    p.add(q).backward(own);
    for (const v of [leaf, p, q]) {
      expect(v.grad!.storage).not.toBe(own.storage);
      expect(v.grad!.data()).toEqual(own.data());
    }
  });

  it('gives every leaf its own gradient when one gradient reaches several (add passes it on)', () => {
    const a = variable(tensor(values(512)), { requiresGrad: true });
    const b = variable(tensor(values(512, 2)), { requiresGrad: true });
    a.tanh().add(b).add(a).tanh().sum().backward();
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    const bBefore = Float32Array.from(b.grad!.data());
    a.grad!.storage.fill(7);
    expect(b.grad!.data()).toEqual(bBefore);
    // More passes do not touch the leaves' gradients.
    const aGrad = a.grad!;
    drainReleased(512);
    expect(a.grad).toBe(aGrad);
    expect([...aGrad.data()].every((v) => v === 7)).toBe(true);
    expect(b.grad!.data()).toEqual(bBefore);
  });

  it('never reuses a gradient that is still pending for another input', () => {
    // Each add passes its gradient on unchanged to both inputs; the walk reaches them one by one.
    const x = variable(tensor(values(700)), { requiresGrad: true });
    const y = variable(tensor(values(700, 0.5)), { requiresGrad: true });
    const u = x.tanh();
    const v = y.sin();
    let s = u.add(v);
    for (let i = 0; i < 4; i++) s = s.add(u.mul(v)).tanh();
    s.sum().backward();
    const want = [Float32Array.from(x.grad!.data()), Float32Array.from(y.grad!.data())];
    // The same graph with a gradient check at float64 would be slow; recompute with every
    // intermediate gradient copied (a rule that may keep its tensors turns reuse off around it).
    const x2 = variable(tensor(values(700)), { requiresGrad: true });
    const y2 = variable(tensor(values(700, 0.5)), { requiresGrad: true });
    const copyGrad = (t: Variable) =>
      Variable.fromOp(t.data.clone(), new GradFn('copy', [t], (g) => [g.clone()]));
    const u2 = copyGrad(x2.tanh());
    const v2 = copyGrad(y2.sin());
    let s2 = copyGrad(u2.add(v2));
    for (let i = 0; i < 4; i++) s2 = copyGrad(s2.add(copyGrad(u2.mul(v2))).tanh());
    s2.sum().backward();
    expect(x.grad!.data()).toEqual(x2.grad!.data());
    expect(y.grad!.data()).toEqual(y2.grad!.data());
    drainReleased(700);
    expect(x.grad!.data()).toEqual(want[0]);
    expect(y.grad!.data()).toEqual(want[1]);
  });

  it('accumulates into existing .grad across backward passes as before', () => {
    const data = values(300);
    const x = variable(tensor(data), { requiresGrad: true });
    tanhChain(x, 2).sum().backward();
    const first = Float32Array.from(x.grad!.data());
    tanhChain(x, 2).sum().backward();
    (x.grad!.toArray() as number[]).forEach((g, i) => expect(g).toBeCloseTo(2 * first[i]!, 5));
  });
});
