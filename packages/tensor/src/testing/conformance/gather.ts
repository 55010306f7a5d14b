import { expect } from 'vitest';
import type { IndexBlocks } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import type { AnyBackend } from '../../backend/registry.js';
import type { DType, TypedArray } from '../../dtype.js';
import { holds, runKernel } from './harness.js';
import { randomF32 } from './helpers.js';
import type { TestApi } from './test-api.js';

/** Gather and scatter-add along an axis (`torch.gather`, `scatter_add`) against the JS reference. */

/** Index blocks `[outer, count, inner]` into `[outer, size, inner]`: more sources than slots, fewer, one, none. */
const GEOMETRIES = [
  { outer: 6, size: 5, count: 9, inner: 7 },
  { outer: 1, size: 40, count: 3, inner: 33 },
  { outer: 20, size: 3, count: 1, inner: 1 },
  { outer: 2, size: 4, count: 0, inner: 3 },
];

/** Seeded indices in `[0, size)`, every fifth one out of range (`size`, or −1) when `outOfRange`. */
function indexBlocks(length: number, size: number, seed: number, outOfRange: boolean): Int32Array {
  const draw = randomF32(length, seed, 0, size);
  return Int32Array.from(draw, (v, i) => (outOfRange && i % 5 === 4 ? (i % 2 ? -1 : size) : Math.floor(v)));
}

/** `length` seeded values of `dtype`: floats in [−50, 50), integers, or 0/1. */
function valuesOf(dtype: DType, length: number, seed: number): TypedArray {
  const draw = randomF32(length, seed, -50, 50);
  if (dtype === 'float32') return draw;
  if (dtype === 'float64') return Float64Array.from(draw);
  if (dtype === 'int32') return Int32Array.from(draw, Math.round);
  return Uint8Array.from(draw, (v) => (v > 0 ? 1 : 0));
}

/** Each geometry with in-range indices, then with some out of range (a device's contract: NaN or skipped). */
function* cases(seed: number) {
  for (const [g, geometry] of GEOMETRIES.entries())
    for (const outOfRange of [false, true]) {
      const { outer, size, count, inner } = geometry;
      const index = indexBlocks(outer * count * inner, size, seed + g, outOfRange);
      yield { geometry, index, label: `${JSON.stringify(geometry)}${outOfRange ? ' out of range' : ''}` };
    }
}

/**
 * Runs `kernel` on `backend` for every case and held dtype, with the arrays `arraysOf` builds (its
 * input and `out`, which the kernel writes or updates), and expects exactly the JS reference's `out`.
 */
async function matchesReference(
  backend: AnyBackend,
  kernel: 'gather' | 'scatterAdd',
  seed: number,
  arraysOf: (geometry: IndexBlocks, dtype: DType) => { out: TypedArray } & Record<string, TypedArray>,
): Promise<void> {
  const dtypes = (['float32', 'int32', 'bool', 'float64'] as const).filter((d) => holds(backend, d));
  const run = (on: AnyBackend, args: object) =>
    (Reflect.get(on, kernel) as (a: object) => void).call(on, args);
  for (const { geometry, index, label } of cases(seed))
    for (const dtype of dtypes) {
      const arrays = arraysOf(geometry, dtype);
      const expected = arrays.out.slice();
      run(jsBackend, { ...arrays, out: expected, index, ...geometry });
      const { out } = await runKernel(backend, { ...arrays, index, ...geometry }, ['out'], (a) =>
        run(backend, a),
      );
      expect([...out], `${dtype} ${label}`).toEqual([...expected]);
    }
}

/** Registers the conformance tests of `gather` and `scatterAdd` for `backend` (kernels it may lack). */
export function gatherConformance({ describe, it }: TestApi, backend: AnyBackend): void {
  describe('gather and scatterAdd', () => {
    if (backend.gather)
      it('gather picks exactly in every held dtype, indices out of range as the reference', () =>
        matchesReference(backend, 'gather', 1, ({ outer, size, count, inner }, dtype) => ({
          x: valuesOf(dtype, outer * size * inner, 7),
          out: valuesOf(dtype, outer * count * inner, 0).fill(0),
        })));
    if (backend.scatterAdd)
      it('scatterAdd adds in index order (float32 bit for bit), int32 exactly, bool as or', () =>
        matchesReference(backend, 'scatterAdd', 20, ({ outer, size, count, inner }, dtype) => ({
          src: valuesOf(dtype, outer * count * inner, 3),
          out: valuesOf(dtype, outer * size * inner, 4),
        })));
  });
}
