import { expect } from 'vitest';
import type { GatherArgs, ScatterAddArgs } from '../../backend/backend.js';
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

/** Registers the conformance tests of `gather` and `scatterAdd` for `backend` (kernels it may lack). */
export function gatherConformance({ describe, it }: TestApi, backend: AnyBackend): void {
  describe('gather and scatterAdd', () => {
    const { gather, scatterAdd } = backend;
    const dtypes = (['float32', 'int32', 'bool', 'float64'] as const).filter((d) => holds(backend, d));
    if (gather) {
      it('gather picks exactly in every held dtype, indices out of range as the reference', async () => {
        for (const { geometry, index, label } of cases(1))
          for (const dtype of dtypes) {
            const { outer, size, count, inner } = geometry;
            const x = valuesOf(dtype, outer * size * inner, 7);
            const expected = valuesOf(dtype, outer * count * inner, 0).fill(0);
            jsBackend.gather!({ x, index, out: expected, ...geometry } as GatherArgs);
            const args = { x, index, out: expected.map(() => 0), ...geometry };
            const { out } = await runKernel(backend, args, ['out'], (a) => gather.call(backend, a));
            expect([...out], `${dtype} ${label}`).toEqual([...expected]);
          }
      });
    }
    if (scatterAdd) {
      it('scatterAdd adds in index order (float32 bit for bit), int32 exactly, bool as or', async () => {
        for (const { geometry, index, label } of cases(20))
          for (const dtype of dtypes) {
            const { outer, size, count, inner } = geometry;
            const src = valuesOf(dtype, outer * count * inner, 3);
            const start = valuesOf(dtype, outer * size * inner, 4);
            const expected = start.slice();
            jsBackend.scatterAdd!({ src, index, out: expected, ...geometry } as ScatterAddArgs);
            const args = { src, index, out: start, ...geometry };
            const { out } = await runKernel(backend, args, ['out'], (a) => scatterAdd.call(backend, a));
            expect([...out], `${dtype} ${label}`).toEqual([...expected]);
          }
      });
    }
  });
}
