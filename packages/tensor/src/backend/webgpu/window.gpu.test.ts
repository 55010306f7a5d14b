import { afterAll, describe, expect, it } from 'vitest';
import { randomF32 } from '../../testing/conformance/helpers.js';
import { jsBackend } from '../js/index.js';
import type { WindowGeometry } from '../window-args.js';
import { compareWithReference } from './rows-testing.js';
import { testRuntime } from './test-runtime.js';
import { windowKernels } from './window.js';
import { columnsSize, imageSize, pooledSize } from './window-geometry.js';
import { poolKernels } from './window-pool.js';

const rt = await testRuntime('window kernel');
afterAll(() => rt?.device.destroy());

/** PyTorch's output size of one axis (`ceil_mode` drops a last window that starts in the right padding). */
function outSize(size: number, kernel: number, stride: number, pad: number, dilation: number, ceil: boolean) {
  const reach = size + 2 * pad - dilation * (kernel - 1) - 1;
  const out = (ceil ? Math.ceil(reach / stride) : Math.floor(reach / stride)) + 1;
  return ceil && (out - 1) * stride >= size + pad ? out - 1 : out;
}

/** Per-axis `[H, W]` settings of a window, as PyTorch's `stride`, `padding`, `dilation`, `ceil_mode`. */
interface WindowOptions {
  stride?: [number, number];
  pad?: [number, number];
  dilation?: [number, number];
  ceil?: boolean;
}

/** The geometry of `kernel` windows over `[batch, channels, height, width]` images. */
function geometry(
  [batch, channels, height, width]: [number, number, number, number],
  [kernelH, kernelW]: [number, number],
  { stride = [1, 1], pad = [0, 0], dilation = [1, 1], ceil = false }: WindowOptions = {},
): WindowGeometry {
  const [strideH, strideW] = stride;
  const [padH, padW] = pad;
  const [dilationH, dilationW] = dilation;
  return {
    ...{
      batch,
      channels,
      height,
      width,
      kernelH,
      kernelW,
      strideH,
      strideW,
      padH,
      padW,
      dilationH,
      dilationW,
    },
    outHeight: outSize(height, kernelH, strideH, padH, dilationH, ceil),
    outWidth: outSize(width, kernelW, strideW, padW, dilationW, ceil),
  };
}

/** Overlapping, strided, padded, dilated, ceil-mode and empty (all-padding) windows; a larger image. */
const CASES: [
  string,
  WindowOptions & { image: [number, number, number, number]; kernel: [number, number] },
][] = [
  ['3×3 same', { image: [2, 3, 9, 8], kernel: [3, 3], pad: [1, 1] }],
  ['strided 3×2', { image: [1, 2, 7, 10], kernel: [3, 2], stride: [2, 3], pad: [1, 1] }],
  ['tiles 4×4', { image: [3, 1, 12, 12], kernel: [4, 4], stride: [4, 4] }],
  ['dilated', { image: [1, 4, 8, 6], kernel: [2, 3], stride: [1, 2], pad: [1, 0], dilation: [2, 1] }],
  ['ceil mode', { image: [2, 2, 7, 9], kernel: [2, 3], stride: [2, 2], pad: [0, 1], ceil: true }],
  ['windows in the padding only', { image: [1, 2, 2, 3], kernel: [2, 1], pad: [1, 0], dilation: [3, 1] }],
  ['wide padding', { image: [1, 2, 5, 6], kernel: [3, 3], stride: [2, 2], pad: [2, 2], dilation: [2, 2] }],
  ['larger image', { image: [2, 3, 40, 33], kernel: [3, 3], stride: [2, 2], pad: [1, 1] }],
];
const GEOMETRIES = CASES.map(([name, c]) => [name, geometry(c.image, c.kernel, c)] as const);

// Average pooling: float32 sums of a few window elements, the reference's in double.
const AVERAGE = { rtol: 1e-6, atol: 1e-7 };

/** `n` NaNs: outputs start as NaN, so an element a kernel fails to write shows. */
const unwritten = (n: number) => new Float32Array(n).fill(Number.NaN);

describe.runIf(rt)('webgpu window kernels', () => {
  const kernels = { ...windowKernels(rt!), ...poolKernels(rt!) };
  const both = <K extends keyof typeof kernels>(name: K) => ({
    reference: jsBackend[name],
    gpu: kernels[name],
  });

  it('unfold copies and fold sums in the reference order: equal to the last bit', async () => {
    for (const [name, g] of GEOMETRIES) {
      const unfold = { ...g, x: randomF32(imageSize(g), 1), cols: unwritten(columnsSize(g)) };
      await compareWithReference(rt!, both('unfold'), unfold, ['cols'], `unfold ${name}`);
      const fold = { ...g, cols: randomF32(columnsSize(g), 2), x: unwritten(imageSize(g)) };
      await compareWithReference(rt!, both('fold'), fold, ['x'], `fold ${name}`);
    }
  });

  it('max pooling: first-maximum indices, NaN wins, empty windows −∞ / −1; the backward gathers exactly', async () => {
    for (const [name, g] of GEOMETRIES) {
      const x = randomF32(imageSize(g), 3);
      x[3] = Number.NaN;
      x.fill(0.5, g.height * g.width, 2 * g.height * g.width); // plane 1: ties everywhere
      const indices = new Int32Array(pooledSize(g)).fill(-7);
      const forward = { ...g, x, out: unwritten(pooledSize(g)), indices };
      await compareWithReference(rt!, both('maxPool2d'), forward, ['out', 'indices'], `maxPool2d ${name}`);
      const backward = { ...g, dy: randomF32(pooledSize(g), 4), indices, dx: unwritten(imageSize(g)) };
      await compareWithReference(
        rt!,
        both('maxPool2dBackward'),
        backward,
        ['dx'],
        `maxPool2dBackward ${name}`,
      );
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
    for (const [name, c] of CASES) {
      const g = geometry(c.image, c.kernel, { ...c, dilation: [1, 1] });
      for (const [countIncludePad, divisorOverride] of [
        [true, 0],
        [false, 0],
        [true, 5],
      ] as const) {
        const what = `${name} countIncludePad=${countIncludePad} divisorOverride=${divisorOverride}`;
        const common = { ...g, countIncludePad, divisorOverride };
        const forward = { ...common, x: randomF32(imageSize(g), 6), out: unwritten(pooledSize(g)) };
        await compareWithReference(rt!, both('avgPool2d'), forward, ['out'], `avgPool2d ${what}`, AVERAGE);
        const backward = { ...common, dy: randomF32(pooledSize(g), 7), dx: unwritten(imageSize(g)) };
        const kernel = both('avgPool2dBackward');
        await compareWithReference(rt!, kernel, backward, ['dx'], `avgPool2dBackward ${what}`, AVERAGE);
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
