import { describe, expect, it } from 'vitest';
import { errorOf } from '../testing/index.js';
import { tensor } from './creation.js';
import { mulInPlace } from './in-place.js';

describe('mulInPlace', () => {
  it('scales a dense float32 tensor in its own storage, the product rounded once from double precision', () => {
    const values = [1.1, -2.7, 3.3e-5, 7];
    const factor = 0.123456789012345;
    const t = tensor(values);
    const storage = t.storage;
    mulInPlace(t, factor);
    expect(t.storage).toBe(storage);
    const once = Float32Array.from(Float32Array.from(values), (v) => v * factor);
    expect([...t.data()]).toEqual([...once]);
  });

  it('writes through a view and leaves the rest of the storage alone', () => {
    const base = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    mulInPlace(base.transpose().narrow(0, 1, 2), 10);
    expect(base.toArray()).toEqual([
      [1, 20, 30],
      [4, 50, 60],
    ]);
  });

  it('rejects integer tensors', () => {
    expect(errorOf(() => mulInPlace(tensor([1, 2], { dtype: 'int32' }), 2)).message).toBe(
      'mulInPlace: input must be float32 or float64, got int32',
    );
  });
});
