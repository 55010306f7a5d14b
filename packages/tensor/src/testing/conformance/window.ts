import { expect } from 'vitest';
import { jsBackend } from '../../backend/js/index.js';
import type { AnyBackend } from '../../backend/registry.js';
import type { WindowGeometry } from '../../backend/window-args.js';
import { runKernel } from './harness.js';
import { describeMismatch, firstMismatch, randomF32 } from './helpers.js';
import type { TestApi } from './test-api.js';

/** The sliding-window kernels (im2col, col2im, pooling) of every backend against the JS reference. */

/** Overlapping, strided, padded, dilated and ceil-mode windows (pooling ones keep padding ≤ kernel/2). */
const GEOMETRIES: WindowGeometry[] = [
  {
    batch: 2,
    channels: 3,
    height: 9,
    width: 8,
    kernelH: 3,
    kernelW: 3,
    strideH: 1,
    strideW: 1,
    padH: 1,
    padW: 1,
    dilationH: 1,
    dilationW: 1,
    outHeight: 9,
    outWidth: 8,
  },
  {
    batch: 1,
    channels: 2,
    height: 7,
    width: 10,
    kernelH: 3,
    kernelW: 2,
    strideH: 2,
    strideW: 3,
    padH: 1,
    padW: 1,
    dilationH: 1,
    dilationW: 1,
    outHeight: 4,
    outWidth: 4,
  },
  {
    batch: 3,
    channels: 1,
    height: 12,
    width: 12,
    kernelH: 4,
    kernelW: 4,
    strideH: 4,
    strideW: 4,
    padH: 0,
    padW: 0,
    dilationH: 1,
    dilationW: 1,
    outHeight: 3,
    outWidth: 3,
  },
  {
    batch: 1,
    channels: 4,
    height: 8,
    width: 6,
    kernelH: 2,
    kernelW: 3,
    strideH: 1,
    strideW: 2,
    padH: 1,
    padW: 0,
    dilationH: 2,
    dilationW: 1,
    outHeight: 8,
    outWidth: 2,
  },
];

const size = (g: WindowGeometry) => g.batch * g.channels * g.height * g.width;
const pooled = (g: WindowGeometry) => g.batch * g.channels * g.outHeight * g.outWidth;
const columns = (g: WindowGeometry) => pooled(g) * g.kernelH * g.kernelW;

function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  const i = firstMismatch(actual, expected, 1e-6, 1e-6);
  expect(i, `${what}: ${describeMismatch(i, actual, expected)}`).toBe(-1);
}

/** Registers the conformance tests of the window kernels (unfold, fold, pooling) for `backend`. */
export function windowConformance({ describe, it }: TestApi, backend: AnyBackend): void {
  describe('window kernels', () => {
    GEOMETRIES.forEach((g, n) => {
      it(`unfold and fold, geometry ${n}`, async () => {
        const x = randomF32(size(g), n);
        const unfold = (b: AnyBackend) =>
          runKernel(b, { ...g, x, cols: new Float32Array(columns(g)).fill(Number.NaN) }, ['cols'], (a) =>
            b.unfold(a),
          );
        const [want, got] = [await unfold(jsBackend), await unfold(backend)];
        expectSame(got.cols, want.cols, 'unfold');
        const cols = randomF32(columns(g), 10 + n);
        const fold = (b: AnyBackend) =>
          runKernel(b, { ...g, cols, x: new Float32Array(size(g)).fill(Number.NaN) }, ['x'], (a) =>
            b.fold(a),
          );
        const [back, backGot] = [await fold(jsBackend), await fold(backend)];
        expectSame(backGot.x, back.x, 'fold');
      });

      it(`max pooling forward (values, indices) and backward, geometry ${n}`, async () => {
        const x = randomF32(size(g), 20 + n);
        x[3] = Number.NaN;
        const dy = randomF32(pooled(g), 30 + n);
        const run = async (b: AnyBackend) => {
          const outputs = { out: new Float32Array(pooled(g)), indices: new Int32Array(pooled(g)) };
          const forward = await runKernel(b, { ...g, x, ...outputs }, ['out', 'indices'], (a) =>
            b.maxPool2d(a),
          );
          const dx = new Float32Array(size(g)).fill(Number.NaN);
          const backward = await runKernel(b, { ...g, dy, indices: forward.indices, dx }, ['dx'], (a) =>
            b.maxPool2dBackward(a),
          );
          return { ...forward, ...backward };
        };
        const [want, got] = [await run(jsBackend), await run(backend)];
        expectSame(got.out, want.out, 'maxPool2d values');
        expect([...got.indices]).toEqual([...want.indices]);
        expectSame(got.dx, want.dx, 'maxPool2dBackward');
      });

      for (const [countIncludePad, divisorOverride] of [
        [true, 0],
        [false, 0],
        [true, 5],
      ] as const) {
        it(`average pooling forward and backward, geometry ${n}, countIncludePad ${countIncludePad}, divisorOverride ${divisorOverride}`, async () => {
          const a = { ...g, dilationH: 1, dilationW: 1, countIncludePad, divisorOverride };
          const x = randomF32(size(g), 40 + n);
          const dy = randomF32(pooled(g), 50 + n);
          const run = async (b: AnyBackend) => {
            const forward = await runKernel(b, { ...a, x, out: new Float32Array(pooled(g)) }, ['out'], (d) =>
              b.avgPool2d(d),
            );
            const dx = new Float32Array(size(g)).fill(Number.NaN);
            const backward = await runKernel(b, { ...a, dy, dx }, ['dx'], (d) => b.avgPool2dBackward(d));
            return { ...forward, ...backward };
          };
          const [want, got] = [await run(jsBackend), await run(backend)];
          expectSame(got.out, want.out, 'avgPool2d');
          expectSame(got.dx, want.dx, 'avgPool2dBackward');
        });
      }
    });
  });
}
