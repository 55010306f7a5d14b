import { afterAll, describe, expect, it } from 'vitest';
import { jsBackend } from '../js/index.js';
import { indexingKernels } from './indexing.js';
import { testRuntime } from './test-runtime.js';

const rt = await testRuntime('webgpu indexing');
afterAll(() => rt?.device.destroy());

describe.runIf(rt)('webgpu indexSelect and indexAdd', () => {
  const kernels = indexingKernels(rt!);
  const geometry = { outer: 3, size: 7, count: 9, inner: 5 };
  const index = Int32Array.of(6, 0, 3, 3, 1, 6, 6, 2, 3);
  const values = (n: number, seed: number) =>
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed));

  it('gathers rows of every dtype as the reference does', async () => {
    for (const x of [values(3 * 7 * 5, 1), Int32Array.from({ length: 105 }, (_, i) => i - 50)]) {
      const expected = new (x.constructor as Float32ArrayConstructor)(3 * 9 * 5);
      jsBackend.indexSelect!({ x: x as Float32Array, index, out: expected, ...geometry });
      const out = rt!.alloc(x instanceof Int32Array ? 'int32' : 'float32', expected.length);
      kernels.indexSelect!({ x: rt!.upload(x), index: rt!.upload(index), out, ...geometry });
      expect(await rt!.readAsync(out)).toEqual(expected);
    }
  });

  it('adds rows in index order onto the existing values', async () => {
    const src = values(3 * 9 * 5, 2);
    const start = values(3 * 7 * 5, 3);
    const expected = start.slice();
    jsBackend.indexAdd!({ src, index, out: expected, ...geometry });
    const out = rt!.upload(start);
    kernels.indexAdd!({ src: rt!.upload(src), index: rt!.upload(index), out, ...geometry });
    // Both sum the repeated rows in order of the index, in float32: equal bit for bit.
    expect(await rt!.readAsync(out)).toEqual(expected);
  });
});
