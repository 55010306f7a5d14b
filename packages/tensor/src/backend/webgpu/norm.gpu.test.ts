import { afterAll, describe, it } from 'vitest';
import { randomF32 } from '../../testing/conformance/helpers.js';
import type { NormArgs, NormBackwardArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { normKernels } from './norm.js';
import { expectClose, requestTestRuntime, toDevice } from './rows-testing.js';

const rt = await requestTestRuntime('layer norm');
afterAll(() => rt?.device.destroy());

/** Odd lengths, rows longer than a workgroup (256), and more rows than a column-sum chunk (256). */
const SHAPES: [number, number][] = [
  [1, 1],
  [3, 3],
  [2, 17],
  [5, 65],
  [4, 257],
  [3, 1000],
  [600, 70],
];

/** Which of weight and bias are given. */
const AFFINES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

// Float32 statistics summed in another order than the reference's double ones: outputs of order 1
// within a few dozen float32 roundings (2⁻²⁴ ≈ 6e-8 each; lavapipe stays under 1e-6, and a GPU may
// contract multiply-adds); the backward's row sums and column sums run over up to 1000 terms.
const FORWARD = { rtol: 2e-6, atol: 2e-6 };
const BACKWARD = { rtol: 2e-5, atol: 2e-5 };

function normArgs(
  rows: number,
  cols: number,
  rms: boolean,
  withWeight: boolean,
  withBias: boolean,
): NormArgs {
  return {
    x: randomF32(rows * cols, rows + 3 * cols, -3, 5),
    weight: withWeight ? randomF32(cols, cols, 0.5, 1.5) : null,
    bias: withBias ? randomF32(cols, cols + 1) : null,
    out: new Float32Array(rows * cols).fill(Number.NaN),
    mean: new Float32Array(rows).fill(Number.NaN),
    rstd: new Float32Array(rows).fill(Number.NaN),
    rows,
    cols,
    eps: 1e-5,
    rms,
  };
}

describe.runIf(rt)('webgpu layer norm and RMS norm', () => {
  const kernels = normKernels(rt!);

  it('forward matches the reference (out, mean, rstd), with and without weight and bias', async () => {
    for (const [rows, cols] of SHAPES)
      for (const rms of [false, true])
        for (const [withWeight, withBias] of AFFINES) {
          const args = normArgs(rows, cols, rms, withWeight, withBias);
          const gpu = toDevice(rt!, args);
          jsBackend.layerNorm(args);
          kernels.layerNorm(gpu);
          const what = `layerNorm [${rows}, ${cols}] rms=${rms} weight=${withWeight} bias=${withBias}`;
          await expectClose(rt!, gpu.out, args.out, `${what} out`, FORWARD);
          await expectClose(rt!, gpu.rstd, args.rstd, `${what} rstd`, FORWARD);
          // RMS norm leaves mean untouched (NaN here)
          await expectClose(rt!, gpu.mean, args.mean, `${what} mean`, FORWARD);
        }
  });

  it('backward matches the reference (dx, dweight, dbias, each column sum alone)', async () => {
    for (const [rows, cols] of SHAPES)
      for (const rms of [false, true])
        for (const [withWeight, withBias] of AFFINES) {
          const forward = normArgs(rows, cols, rms, withWeight, true);
          jsBackend.layerNorm(forward);
          const args: NormBackwardArgs = {
            ...forward,
            dy: randomF32(rows * cols, 7 * cols),
            dx: new Float32Array(rows * cols).fill(Number.NaN),
            dweight: withWeight ? new Float32Array(cols).fill(Number.NaN) : null,
            dbias: withBias ? new Float32Array(cols).fill(Number.NaN) : null,
          };
          const gpu = toDevice(rt!, args);
          jsBackend.layerNormBackward(args);
          kernels.layerNormBackward(gpu);
          const what = `layerNormBackward [${rows}, ${cols}] rms=${rms} dweight=${withWeight} dbias=${withBias}`;
          await expectClose(rt!, gpu.dx, args.dx, `${what} dx`, BACKWARD);
          if (gpu.dweight) await expectClose(rt!, gpu.dweight, args.dweight!, `${what} dweight`, BACKWARD);
          if (gpu.dbias) await expectClose(rt!, gpu.dbias, args.dbias!, `${what} dbias`, BACKWARD);
        }
  });

  it('empty rows give NaN statistics and empty blocks zero column sums, as the reference', async () => {
    for (const [rows, cols] of [
      [3, 0],
      [0, 5],
    ] as const)
      for (const rms of [false, true]) {
        const args = normArgs(rows, cols, rms, true, true);
        const gpu = toDevice(rt!, args);
        jsBackend.layerNorm(args);
        kernels.layerNorm(gpu);
        await expectClose(rt!, gpu.mean, args.mean, `layerNorm [${rows}, ${cols}] rms=${rms} mean`);
        await expectClose(rt!, gpu.rstd, args.rstd, `layerNorm [${rows}, ${cols}] rms=${rms} rstd`);
        const backward = {
          ...args,
          dy: new Float32Array(0),
          dx: new Float32Array(0),
          dweight: new Float32Array(cols).fill(Number.NaN),
          dbias: new Float32Array(cols).fill(Number.NaN),
        };
        const gpuBackward = toDevice(rt!, backward);
        jsBackend.layerNormBackward(backward);
        kernels.layerNormBackward(gpuBackward);
        await expectClose(rt!, gpuBackward.dweight, backward.dweight, `[${rows}, ${cols}] dweight`);
        await expectClose(rt!, gpuBackward.dbias, backward.dbias, `[${rows}, ${cols}] dbias`);
      }
  });
});
