import { expect } from 'vitest';
import type { IndexAddArgs, IndexSelectArgs } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import type { AnyBackend } from '../../backend/registry.js';
import type { FloatArray, TypedArray } from '../../dtype.js';
import { holds, runKernel } from './harness.js';
import { randomF32 } from './helpers.js';
import type { TestApi } from './test-api.js';

/** Row gather and scatter-add (embedding lookups and their gradients) against the JS reference. */

/** `[outer, size, inner]` geometries: one row block, several, rows of one element, an empty index. */
const GEOMETRIES = [
  { outer: 1, size: 65, count: 37, inner: 17 },
  { outer: 3, size: 7, count: 9, inner: 5 },
  { outer: 2, size: 4, count: 6, inner: 1 },
  { outer: 2, size: 3, count: 0, inner: 4 },
];

/** `count` indices in `[0, size)` with repeats (every third one repeats the one before). */
function indices(count: number, size: number, seed: number): Int32Array {
  const draw = randomF32(count, seed, 0, size);
  return Int32Array.from(draw, (v, i) => (i % 3 === 2 ? Math.floor(draw[i - 1]!) : Math.floor(v)));
}

/** Registers the conformance tests of `indexSelect` and `indexAdd` for `backend` (kernels it may lack). */
export function indexingConformance({ describe, it }: TestApi, backend: AnyBackend): void {
  describe('indexSelect and indexAdd', () => {
    const { indexSelect, indexAdd } = backend;
    if (indexSelect) {
      const dtypes = (['float32', 'int32', 'float64'] as const).filter((d) => holds(backend, d));
      it('indexSelect gathers rows exactly in every held dtype, repeats and an empty index included', async () => {
        for (const [g, geometry] of GEOMETRIES.entries()) {
          const index = indices(geometry.count, geometry.size, g + 1);
          for (const dtype of dtypes) {
            const values = randomF32(geometry.outer * geometry.size * geometry.inner, g + 10, -50, 50);
            const x: TypedArray =
              dtype === 'float32'
                ? values
                : dtype === 'int32'
                  ? Int32Array.from(values, Math.round)
                  : Float64Array.from(values);
            const expected = new (x.constructor as Float32ArrayConstructor)(
              geometry.outer * geometry.count * geometry.inner,
            );
            jsBackend.indexSelect!({ x, index, out: expected, ...geometry } as IndexSelectArgs);
            const args = { x, index, out: expected.map(() => 0), ...geometry };
            const { out } = await runKernel(backend, args, ['out'], (a) => indexSelect.call(backend, a));
            expect([...out], `${dtype} ${JSON.stringify(geometry)}`).toEqual([...expected]);
          }
        }
      });
    }
    if (indexAdd) {
      it('indexAdd adds rows onto the existing values in index order (float32, bit for bit)', async () => {
        for (const [g, geometry] of GEOMETRIES.entries()) {
          const index = indices(geometry.count, geometry.size, g + 1);
          const src = randomF32(geometry.outer * geometry.count * geometry.inner, g + 20);
          const start: FloatArray = randomF32(geometry.outer * geometry.size * geometry.inner, g + 30);
          const expected = start.slice();
          jsBackend.indexAdd!({ src, index, out: expected, ...geometry } as IndexAddArgs);
          const args = { src, index, out: start, ...geometry };
          const { out } = await runKernel(backend, args, ['out'], (a) => indexAdd.call(backend, a));
          expect([...out], JSON.stringify(geometry)).toEqual([...expected]);
        }
      });
    }
  });
}
