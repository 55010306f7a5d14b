import { afterAll, describe, expect, it } from 'vitest';
import { randomF32 } from '../../testing/conformance/helpers.js';
import { jsBackend } from '../js/index.js';
import type { WindowGeometry } from '../window-args.js';
import { expectClose, requestTestRuntime, toDevice } from './rows-testing.js';
import { windowKernels } from './window.js';
import { columnsSize, imageSize, pooledSize } from './window-geometry.js';
import { poolKernels } from './window-pool.js';

const rt = await requestTestRuntime('window kernel');
afterAll(() => rt?.device.destroy());

type Layout = Omit<WindowGeometry, 'outHeight' | 'outWidth'>;

/** PyTorch's output size of one axis (`ceil_mode` drops a last window that starts in the right padding). */
function outSize(size: number, kernel: number, stride: number, pad: number, dilation: number, ceil: boolean) {
  const reach = size + 2 * pad - dilation * (kernel - 1) - 1;
  const out = (ceil ? Math.ceil(reach / stride) : Math.floor(reach / stride)) + 1;
  return ceil && (out - 1) * stride >= size + pad ? out - 1 : out;
}

function geometry(g: Layout, ceil = false): WindowGeometry {
  return {
    ...g,
    outHeight: outSize(g.height, g.kernelH, g.strideH, g.padH, g.dilationH, ceil),
    outWidth: outSize(g.width, g.kernelW, g.strideW, g.padW, g.dilationW, ceil),
  };
}

const one = { strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1 };

/** Overlapping, strided, padded, dilated, ceil-mode and empty (all-padding) windows; a larger image. */
const GEOMETRIES: [string, WindowGeometry][] = [
  [
    '3×3 same',
    geometry({
      ...one,
      batch: 2,
      channels: 3,
      height: 9,
      width: 8,
      kernelH: 3,
      kernelW: 3,
      padH: 1,
      padW: 1,
    }),
  ],
  [
    'strided 3×2',
    geometry({
      ...one,
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
    }),
  ],
  [
    'tiles 4×4',
    geometry({
      ...one,
      batch: 3,
      channels: 1,
      height: 12,
      width: 12,
      kernelH: 4,
      kernelW: 4,
      strideH: 4,
      strideW: 4,
    }),
  ],
  [
    'dilated',
    geometry({
      ...one,
      batch: 1,
      channels: 4,
      height: 8,
      width: 6,
      kernelH: 2,
      kernelW: 3,
      strideW: 2,
      padH: 1,
      dilationH: 2,
    }),
  ],
  [
    'ceil mode',
    geometry(
      {
        ...one,
        batch: 2,
        channels: 2,
        height: 7,
        width: 9,
        kernelH: 2,
        kernelW: 3,
        strideH: 2,
        strideW: 2,
        padW: 1,
      },
      true,
    ),
  ],
  [
    'windows in the padding only',
    geometry({
      ...one,
      batch: 1,
      channels: 2,
      height: 2,
      width: 3,
      kernelH: 2,
      kernelW: 1,
      padH: 1,
      dilationH: 3,
    }),
  ],
  [
    'wide padding, dilation 2',
    geometry({
      ...one,
      batch: 1,
      channels: 2,
      height: 5,
      width: 6,
      kernelH: 3,
      kernelW: 3,
      strideH: 2,
      strideW: 2,
      padH: 2,
      padW: 2,
      dilationH: 2,
      dilationW: 2,
    }),
  ],
  [
    'larger image',
    geometry({
      ...one,
      batch: 2,
      channels: 3,
      height: 40,
      width: 33,
      kernelH: 3,
      kernelW: 3,
      strideH: 2,
      strideW: 2,
      padH: 1,
      padW: 1,
    }),
  ],
];

// Average pooling: float32 sums of a few window elements, the reference's in double.
const AVERAGE = { rtol: 1e-6, atol: 1e-7 };

describe.runIf(rt)('webgpu window kernels', () => {
  const kernels = { ...windowKernels(rt!), ...poolKernels(rt!) };

  it('unfold copies and fold sums in the reference order: equal to the last bit', async () => {
    for (const [name, g] of GEOMETRIES) {
      const unfold = {
        ...g,
        x: randomF32(imageSize(g), 1),
        cols: new Float32Array(columnsSize(g)).fill(Number.NaN),
      };
      const gpuUnfold = toDevice(rt!, unfold);
      kernels.unfold(gpuUnfold);
      jsBackend.unfold(unfold);
      await expectClose(rt!, gpuUnfold.cols, unfold.cols, `unfold ${name}`);
      const fold = {
        ...g,
        cols: randomF32(columnsSize(g), 2),
        x: new Float32Array(imageSize(g)).fill(Number.NaN),
      };
      const gpuFold = toDevice(rt!, fold);
      kernels.fold(gpuFold);
      jsBackend.fold(fold);
      await expectClose(rt!, gpuFold.x, fold.x, `fold ${name}`);
    }
  });

  it('max pooling: values, first-maximum indices, NaN wins, empty windows −∞ / −1; the backward gathers exactly', async () => {
    for (const [name, g] of GEOMETRIES) {
      const x = randomF32(imageSize(g), 3);
      x[3] = Number.NaN;
      x.fill(0.5, g.height * g.width, 2 * g.height * g.width); // plane 1: ties everywhere
      const forward = {
        ...g,
        x,
        out: new Float32Array(pooledSize(g)).fill(Number.NaN),
        indices: new Int32Array(pooledSize(g)).fill(-7),
      };
      const gpu = toDevice(rt!, forward);
      kernels.maxPool2d(gpu);
      jsBackend.maxPool2d(forward);
      await expectClose(rt!, gpu.out, forward.out, `maxPool2d ${name} values`);
      expect([...(await rt!.readAsync(gpu.indices))], `maxPool2d ${name} indices`).toEqual([
        ...forward.indices,
      ]);
      const backward = {
        ...g,
        dy: randomF32(pooledSize(g), 4),
        indices: forward.indices,
        dx: new Float32Array(imageSize(g)).fill(Number.NaN),
      };
      const gpuBackward = toDevice(rt!, backward);
      kernels.maxPool2dBackward(gpuBackward);
      jsBackend.maxPool2dBackward(backward);
      await expectClose(rt!, gpuBackward.dx, backward.dx, `maxPool2dBackward ${name}`);
    }
    const [, empty] = GEOMETRIES.find(([name]) => name === 'windows in the padding only')!;
    const out = new Float32Array(pooledSize(empty));
    jsBackend.maxPool2d({
      ...empty,
      x: randomF32(imageSize(empty), 5),
      out,
      indices: new Int32Array(out.length),
    });
    expect(out.every((v) => v === Number.NEGATIVE_INFINITY)).toBe(true); // the case is really there
  });

  it('average pooling: countIncludePad and divisorOverride, forward and backward', async () => {
    for (const [name, layout] of GEOMETRIES) {
      const g = geometry({ ...layout, dilationH: 1, dilationW: 1 }, name === 'ceil mode');
      for (const [countIncludePad, divisorOverride] of [
        [true, 0],
        [false, 0],
        [true, 5],
      ] as const) {
        const what = `${name} countIncludePad=${countIncludePad} divisorOverride=${divisorOverride}`;
        const common = { ...g, countIncludePad, divisorOverride };
        const forward = {
          ...common,
          x: randomF32(imageSize(g), 6),
          out: new Float32Array(pooledSize(g)).fill(Number.NaN),
        };
        const gpu = toDevice(rt!, forward);
        kernels.avgPool2d(gpu);
        jsBackend.avgPool2d(forward);
        await expectClose(rt!, gpu.out, forward.out, `avgPool2d ${what}`, AVERAGE);
        const backward = {
          ...common,
          dy: randomF32(pooledSize(g), 7),
          dx: new Float32Array(imageSize(g)).fill(Number.NaN),
        };
        const gpuBackward = toDevice(rt!, backward);
        kernels.avgPool2dBackward(gpuBackward);
        jsBackend.avgPool2dBackward(backward);
        await expectClose(rt!, gpuBackward.dx, backward.dx, `avgPool2dBackward ${what}`, AVERAGE);
      }
    }
  });

  it('empty batches are no-ops (nothing dispatched, no validation error raised)', async () => {
    const [, g] = GEOMETRIES[0]!;
    const empty = { ...g, batch: 0 };
    const x = rt!.alloc('float32', 0);
    kernels.unfold({ ...empty, x, cols: rt!.alloc('float32', 0) });
    kernels.maxPool2d({ ...empty, x, out: rt!.alloc('float32', 0), indices: rt!.alloc('int32', 0) });
    expect((await rt!.readAsync(x)).length).toBe(0);
  });
});
