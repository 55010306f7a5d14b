import { afterAll, describe, it } from 'vitest';
import { randomF32 } from '../../testing/conformance/helpers.js';
import type { NormArgs, NormBackwardArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { normKernels } from './norm.js';
import { compareWithReference, ROW_SHAPES } from './rows-testing.js';
import { testRuntime } from './test-runtime.js';

const rt = await testRuntime('layer norm');
afterAll(() => rt?.device.destroy());

/** The shared row lengths, and more rows than a column-sum chunk (256) over two column blocks (64). */
const SHAPES = [...ROW_SHAPES, [600, 70]] as const;

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
  const forward = { reference: jsBackend.layerNorm, gpu: kernels.layerNorm };
  const backward = { reference: jsBackend.layerNormBackward, gpu: kernels.layerNormBackward };

  it('forward matches the reference (out, mean, rstd), with and without weight and bias', async () => {
    for (const [rows, cols] of SHAPES)
      for (const rms of [false, true])
        for (const [withWeight, withBias] of AFFINES) {
          const args = normArgs(rows, cols, rms, withWeight, withBias);
          const what = `layerNorm [${rows}, ${cols}] rms=${rms} weight=${withWeight} bias=${withBias}`;
          // RMS norm leaves mean untouched (NaN here)
          await compareWithReference(rt!, forward, args, ['out', 'mean', 'rstd'], what, FORWARD);
        }
  });

  it('backward matches the reference (dx, dweight, dbias, each column sum alone)', async () => {
    for (const [rows, cols] of SHAPES)
      for (const rms of [false, true])
        for (const [withWeight, withBias] of AFFINES) {
          const saved = normArgs(rows, cols, rms, withWeight, true);
          jsBackend.layerNorm(saved);
          const args: NormBackwardArgs = {
            ...saved,
            dy: randomF32(rows * cols, 7 * cols),
            dx: new Float32Array(rows * cols).fill(Number.NaN),
            dweight: withWeight ? new Float32Array(cols).fill(Number.NaN) : null,
            dbias: withBias ? new Float32Array(cols).fill(Number.NaN) : null,
          };
          const what = `layerNormBackward [${rows}, ${cols}] rms=${rms} dweight=${withWeight} dbias=${withBias}`;
          await compareWithReference(rt!, backward, args, ['dx', 'dweight', 'dbias'], what, BACKWARD);
        }
  });

  it('empty rows give NaN statistics and empty blocks zero column sums, as the reference', async () => {
    for (const [rows, cols] of [
      [3, 0],
      [0, 5],
    ] as const)
      for (const rms of [false, true]) {
        const args = normArgs(rows, cols, rms, true, true);
        const what = `[${rows}, ${cols}] rms=${rms}`;
        await compareWithReference(rt!, forward, args, ['mean', 'rstd'], what);
        const empty = { ...args, dy: new Float32Array(0), dx: new Float32Array(0) };
        const sums = {
          dweight: new Float32Array(cols).fill(Number.NaN),
          dbias: new Float32Array(cols).fill(Number.NaN),
        };
        await compareWithReference(rt!, backward, { ...empty, ...sums }, ['dweight', 'dbias'], what);
      }
  });
});
