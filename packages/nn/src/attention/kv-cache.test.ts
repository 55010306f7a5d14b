import { Variable } from '@proj/autograd';
import { Generator, randn } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { AttentionCache, KVCache } from './kv-cache.js';

const kv = (T: number, seed: number) =>
  [
    new Variable(randn([2, 1, T, 3], { generator: new Generator(seed) })),
    new Variable(randn([2, 1, T, 4], { generator: new Generator(seed + 1) })),
  ] as const;

describe('AttentionCache', () => {
  it('appends along the time axis and returns everything stored', () => {
    const cache = new AttentionCache(5);
    expect(cache.get()).toBeNull();
    const [k1, v1] = kv(2, 0);
    const [k2, v2] = kv(1, 2);
    cache.append(k1, v1);
    const [k, v] = cache.append(k2, v2);
    expect(cache.length).toBe(3);
    expect(k.shape).toEqual([2, 1, 3, 3]);
    expect(v.shape).toEqual([2, 1, 3, 4]);
    expect(k.data.narrow(2, 0, 2).toArray()).toEqual(k1.data.toArray());
    expect(v.data.narrow(2, 2, 1).toArray()).toEqual(v2.data.toArray());
    expect(cache.get()![0].toArray()).toEqual(k.toArray());
    cache.reset();
    expect(cache.length).toBe(0);
    expect(cache.get()).toBeNull();
  });

  it('keeps gradients flowing to the new keys and values when they require grad', () => {
    const cache = new AttentionCache(4);
    const [k0, v0] = kv(2, 4);
    cache.append(k0, v0);
    const k = new Variable(randn([2, 1, 1, 3]), { requiresGrad: true });
    const v = new Variable(randn([2, 1, 1, 4]), { requiresGrad: true });
    const [keys, values] = cache.append(k, v);
    keys.sum().add(values.mul(2).sum()).backward();
    expect(Array.from(k.grad!.data()).every((g) => g === 1)).toBe(true);
    expect(Array.from(v.grad!.data()).every((g) => g === 2)).toBe(true);
  });

  it('rejects overflow and changed shapes', () => {
    const cache = new AttentionCache(3);
    const [k, v] = kv(2, 6);
    cache.append(k, v);
    expect(() => cache.append(k, v)).toThrow(/2 cached \+ 2 new positions exceed the capacity 3/);
    const [k3] = kv(1, 8);
    expect(() => cache.append(new Variable(randn([1, 1, 1, 3])), new Variable(randn([1, 1, 1, 4])))).toThrow(
      /do not match the cached/,
    );
    expect(() => cache.append(k3, new Variable(randn([2, 1, 2, 4])))).toThrow(/must be \[B, H, T, hs\]/);
    expect(() => new AttentionCache(0)).toThrow(/positive integer/);
  });
});

describe('KVCache', () => {
  it('holds one AttentionCache per layer and reports their common length', () => {
    const cache = new KVCache(3, 8);
    expect(cache.layers.length).toBe(3);
    expect(cache.capacity).toBe(8);
    expect(cache.length).toBe(0);
    for (const layer of cache.layers) layer.append(...kv(2, 10));
    expect(cache.length).toBe(2);
    cache.reset();
    expect(cache.layers.every((l) => l.length === 0)).toBe(true);
  });
});
