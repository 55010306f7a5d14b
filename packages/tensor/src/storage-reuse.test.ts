import { describe, expect, it } from 'vitest';
import { allocStorage } from './dtype.js';
import { full } from './ops/creation.js';
import { beginAllocationScope, storageReuseStats } from './storage-reuse.js';

describe('storage reuse', () => {
  it('records what tensor ops allocate inside a scope, and only that', () => {
    const before = full([100], 1).storage;
    const scope = beginAllocationScope();
    const inside = full([100], 2).storage;
    const ints = allocStorage('int32', 100);
    scope.end();
    const after = full([100], 3).storage;
    expect(scope.allocatedHere(inside)).toBe(false); // ended: nothing is vouched for any more
    const open = beginAllocationScope();
    const recorded = full([7], 1).storage;
    expect(open.allocatedHere(recorded)).toBe(true);
    expect([before, after, ints].map((a) => open.allocatedHere(a))).toEqual([false, false, false]);
    open.end();
  });

  it('hands a released array, zeroed, to the next allocation of its dtype and length', () => {
    const scope = beginAllocationScope();
    const a = full([333], 5, { dtype: 'float64' }).storage;
    const { reused } = storageReuseStats();
    scope.release(a);
    expect(storageReuseStats().pooledBytes).toBeGreaterThanOrEqual(333 * 8);
    expect(allocStorage('float32', 333)).not.toBe(a); // other dtype
    expect(allocStorage('float64', 334)).not.toBe(a); // other length
    const b = allocStorage('float64', 333);
    expect(b).toBe(a);
    expect([...b].every((v) => v === 0)).toBe(true);
    expect(storageReuseStats().reused).toBe(reused + 1);
    // Taken again by an allocation inside the scope: recorded, so it can be released once more.
    expect(scope.allocatedHere(b)).toBe(true);
    scope.end();
  });

  it('ignores arrays the scope did not allocate, released twice, or released after end', () => {
    const outside = full([91], 1).storage;
    const scope = beginAllocationScope();
    const inside = full([91], 2).storage;
    const nested = beginAllocationScope();
    scope.release(outside);
    scope.release(inside);
    nested.release(inside); // the nested scope saw it allocated too, but it is already released
    scope.release(inside);
    const first = allocStorage('float32', 91);
    const second = allocStorage('float32', 91);
    expect(first).toBe(inside);
    expect(second).not.toBe(inside);
    expect(second).not.toBe(outside);
    const late = full([91], 3).storage;
    nested.end();
    scope.end();
    scope.release(late);
    expect(allocStorage('float32', 91)).not.toBe(late);
  });

  it('keeps at most a bounded number of arrays per length', () => {
    const scope = beginAllocationScope();
    const arrays = Array.from({ length: 20 }, () => full([517], 1).storage);
    for (const a of arrays) scope.release(a);
    scope.end();
    const taken = new Set(Array.from({ length: 20 }, () => allocStorage('float32', 517)));
    const recycled = arrays.filter((a) => taken.has(a as Float32Array)).length;
    expect(recycled).toBeGreaterThan(0);
    expect(recycled).toBeLessThan(20);
  });

  it('a recycling scope hands back everything allocated since its last recycle, every dtype', () => {
    const { allocated } = storageReuseStats();
    const scope = beginAllocationScope({ recycle: true });
    const step = () => [full([61], 1).storage, allocStorage('int32', 61), allocStorage('bool', 61)];
    const first = step();
    const fresh = storageReuseStats().allocated;
    expect(fresh).toBeGreaterThan(allocated);
    scope.recycle();
    const second = step();
    second.forEach((a, i) => expect(a).toBe(first[i]));
    expect(storageReuseStats().allocated).toBe(fresh); // nothing fresh from the second step on
    expect(storageReuseStats().recycled).toBeGreaterThanOrEqual(3);
    scope.recycle();
    const third = allocStorage('int32', 61);
    expect([...third].every((v) => v === 0)).toBe(true);
    scope.end();
    expect(allocStorage('int32', 61)).not.toBe(first[1]); // ended: nothing waits any more
    const plain = beginAllocationScope();
    const kept = full([61], 2).storage;
    plain.recycle(); // without { recycle: true }: nothing happens
    expect(full([61], 3).storage).not.toBe(kept);
    plain.end();
  });
});
