import { describe, expect, it } from 'vitest';
import { getBackend, listBackends, setBackend } from './backend/registry.js';
import { jsBackend } from './internal/index.js';
import { arange, tensor } from './ops/creation.js';
import { broadcastView, contiguousData } from './storage.js';
import { errorOf } from './testing/index.js';

describe('broadcastView', () => {
  it('gives stride 0 to new leading axes and to size-1 axes that grow', () => {
    const x = arange(3).reshape([3, 1]);
    expect(broadcastView(x, [2, 3, 4])).toEqual({ data: x.storage, offset: 0, strides: [0, 1, 0] });
    expect(broadcastView(x, [3, 1]).strides).toEqual([1, 1]);
    const v = arange(10).narrow(0, 2, 3);
    expect(broadcastView(v, [2, 3])).toEqual({ data: v.storage, offset: 2, strides: [0, 1] });
  });
});

describe('contiguousData', () => {
  it('returns the storage itself only for a plain contiguous tensor of that dtype', () => {
    const x = arange(6);
    expect(contiguousData(x)).toBe(x.storage);
    const narrowed = x.narrow(0, 1, 3);
    const copy = contiguousData(narrowed);
    expect(copy).not.toBe(x.storage);
    expect(Array.from(copy)).toEqual([1, 2, 3]);
    expect(Array.from(contiguousData(x.reshape([2, 3]).transpose()))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('converts dtype while copying', () => {
    const c = contiguousData(tensor([1.7, -0.5, 0]), 'int32');
    expect(c).toBeInstanceOf(Int32Array);
    expect(Array.from(c)).toEqual([1, 0, 0]);
    expect(Array.from(contiguousData(tensor([2, 0, Number.NaN]), 'bool'))).toEqual([1, 0, 1]);
    expect(contiguousData(tensor([true]), 'float64')).toBeInstanceOf(Float64Array);
  });
});

describe('backend registry', () => {
  it('always has the JS reference backend, and names the known ones for an unknown name', () => {
    expect(listBackends()).toContain('js');
    expect(jsBackend.name).toBe('js');
    const previous = getBackend().name;
    setBackend('js');
    expect(getBackend()).toBe(jsBackend);
    setBackend(previous);
    expect(errorOf(() => setBackend('cuda'))).toEqual({
      name: 'Error',
      message: `setBackend: unknown backend 'cuda' (known: ${listBackends().join(', ')})`,
    });
  });
});
