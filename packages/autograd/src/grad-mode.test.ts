import { tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { isGradEnabled, noGrad, variable } from './index.js';

describe('noGrad', () => {
  it('records nothing inside: results are constants without a gradFn', () => {
    const x = variable([1, 2, 3], { requiresGrad: true });
    const y = noGrad(() => x.mul(x).sum());
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(y.item()).toBe(14);
    expect(() => y.backward()).toThrow(/does not require grad/);
    expect(x.grad).toBeNull();
  });

  it('returns the callback value and restores grad mode afterwards', () => {
    expect(isGradEnabled()).toBe(true);
    expect(noGrad(() => isGradEnabled())).toBe(false);
    expect(isGradEnabled()).toBe(true);
    const x = variable([2], { requiresGrad: true });
    expect(x.mul(3).requiresGrad).toBe(true);
  });

  it('restores grad mode when the callback throws', () => {
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('nests: an inner noGrad leaves the outer one disabled', () => {
    noGrad(() => {
      noGrad(() => expect(isGradEnabled()).toBe(false));
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });

  it('lets an optimizer-style update run on leaves without touching the graph', () => {
    const w = variable(tensor([1, 2], { dtype: 'float64' }), { requiresGrad: true });
    w.mul(w).sum().backward();
    noGrad(() => {
      w.data = w.data.sub(w.grad!.mul(0.25));
    });
    expect(w.toArray()).toEqual([0.5, 1]);
    expect(w.isLeaf).toBe(true);
  });
});

describe('noGrad with an async callback', () => {
  it('throws a TypeError saying noGrad is synchronous, and restores grad mode', async () => {
    const x = variable([1, 2], { requiresGrad: true });
    let afterAwait: boolean | null = null;
    const run = () =>
      // @ts-expect-error: a Promise-returning callback is a type error
      noGrad(async () => {
        await Promise.resolve();
        afterAwait = isGradEnabled();
        return x.mul(2);
      });
    expect(run).toThrow(TypeError);
    expect(run).toThrow(/noGrad is synchronous.*each synchronous part/);
    expect(isGradEnabled()).toBe(true);
    await Promise.resolve();
    // The reason it is rejected: the code after the first await runs with recording on again.
    expect(afterAwait).toBe(true);
  });

  it('rejects any thenable, not only native Promises', () => {
    // biome-ignore lint/suspicious/noThenProperty: the point of this test is a hand-made thenable
    const thenable = { then: (resolve: (v: number) => void) => resolve(1) };
    expect(() => noGrad(() => thenable)).toThrow(/returned a Promise/);
  });

  it('still returns functions, objects and undefined from synchronous callbacks', () => {
    const f = () => 1;
    expect(noGrad(() => f)).toBe(f);
    const notThenable = Object.fromEntries([['then', 1]]); // a `then` that is not a function
    expect(noGrad(() => notThenable)).toBe(notThenable);
    expect(noGrad(() => undefined)).toBeUndefined();
  });
});
