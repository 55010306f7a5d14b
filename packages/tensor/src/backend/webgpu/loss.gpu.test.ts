import { afterAll, describe, expect, it } from 'vitest';
import { randomF32 } from '../../testing/conformance/helpers.js';
import type { CrossEntropyArgs, CrossEntropyBackwardArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { lossKernels } from './loss.js';
import { compareWithReference, expectClose, ROW_SHAPES, toDevice } from './rows-testing.js';
import { testRuntime } from './test-runtime.js';

const rt = await testRuntime('cross-entropy');
afterAll(() => rt?.device.destroy());

/** The shared row lengths, and GPT-2's vocabulary. */
const SHAPES = [...ROW_SHAPES, [2, 50257]] as const;

// Float32 sums of up to 50257 exponentials (the reference sums in double): lse and the losses
// (differences of lse and a logit, both of order 10) within a few dozen float32 roundings of 10;
// gradients are probabilities, exp(x − lse), of order ≤ 1. Lavapipe stays under 1e-6; a GPU's exp
// (exp2 of x·log2 e, approximate) loses a little more.
const LOSS = { rtol: 1e-5, atol: 1e-5 };
const GRAD = { rtol: 1e-5, atol: 1e-6 };

/** Seeded logits and targets (every third row ignored when there are three or more). */
function ceArgs(rows: number, classes: number, labelSmoothing: number, ignoreIndex = -100): CrossEntropyArgs {
  const targets = Int32Array.from({ length: rows }, (_, r) => (r * 7919) % classes);
  for (let r = 1; r < rows && rows >= 3; r += 3) targets[r] = ignoreIndex;
  return {
    logits: randomF32(rows * classes, rows + classes, -6, 6),
    targets,
    losses: new Float32Array(rows).fill(Number.NaN),
    lse: new Float32Array(rows).fill(Number.NaN),
    rows,
    classes,
    ignoreIndex,
    labelSmoothing,
  };
}

/** Compares the forward of the GPU and the reference on `args` (the reference's outputs land in `args`). */
function forwardBoth(args: CrossEntropyArgs, what: string) {
  const kernel = { reference: jsBackend.crossEntropy, gpu: lossKernels(rt!).crossEntropy };
  return compareWithReference(rt!, kernel, args, ['losses', 'lse'], what, LOSS);
}

/** Compares the backward of the GPU and the reference from the reference's `lse` in `forward`. */
function backwardBoth(forward: CrossEntropyArgs, scale: number | Float32Array, what: string) {
  const args: CrossEntropyBackwardArgs = {
    ...forward,
    scale,
    dlogits: new Float32Array(forward.rows * forward.classes).fill(Number.NaN),
  };
  const kernel = { reference: jsBackend.crossEntropyBackward, gpu: lossKernels(rt!).crossEntropyBackward };
  return compareWithReference(rt!, kernel, args, ['dlogits'], what, GRAD);
}

describe.runIf(rt)('webgpu cross-entropy', () => {
  it('forward and backward match the reference: smoothing, ignored rows, scalar and per-row scale', async () => {
    for (const [rows, classes] of SHAPES)
      for (const labelSmoothing of [0, 0.1]) {
        const what = `crossEntropy [${rows}, ${classes}] s=${labelSmoothing}`;
        const args = ceArgs(rows, classes, labelSmoothing);
        await forwardBoth(args, what);
        await backwardBoth(args, 0.25, `${what} scale=0.25`);
        await backwardBoth(args, randomF32(rows, rows, -2, 2), `${what} per-row scale`);
      }
  });

  it('an ignoreIndex that is a class is ignored, not scored', async () => {
    const args = ceArgs(6, 9, 0.1, 0);
    await forwardBoth(args, 'ignoreIndex 0');
    await backwardBoth(args, 1, 'ignoreIndex 0');
  });

  it('masked (−∞), fully masked, NaN and +∞ logits give the reference values', async () => {
    const args = ceArgs(5, 300, 0);
    const { logits } = args;
    logits.fill(Number.NEGATIVE_INFINITY, 0, 150); // row 0: half masked
    logits.fill(Number.NEGATIVE_INFINITY, 300, 600); // row 1: all masked, ignored
    logits.fill(Number.NEGATIVE_INFINITY, 600, 900); // row 2: all masked, scored: NaN loss
    logits[1000] = Number.NaN; // row 3
    logits[1299] = Number.POSITIVE_INFINITY; // row 4
    args.targets[0] = 200;
    await forwardBoth(args, 'special logits');
    expect([...args.lse.slice(1, 5)]).toEqual([
      Number.NEGATIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      Number.NaN,
    ]);
    await backwardBoth(args, 1, 'special logits');
  });

  it('a target outside [0, classes) makes its row NaN (a shader cannot throw) and leaves the others', async () => {
    const args = ceArgs(4, 5, 0.1);
    const gpu = toDevice(rt!, { ...args, targets: Int32Array.of(2, 5, -1, 4) });
    lossKernels(rt!).crossEntropy(gpu);
    const standIns = Int32Array.of(2, 0, 0, 4); // valid targets in rows 1 and 2 for the reference
    jsBackend.crossEntropy({ ...args, targets: standIns });
    const bad = (v: number, row: number) => (row === 1 || row === 2 ? Number.NaN : v);
    await expectClose(rt!, gpu.losses, args.losses.map(bad), 'losses', LOSS);
    await expectClose(rt!, gpu.lse, args.lse.map(bad), 'lse', LOSS);
    const want = new Float32Array(20);
    jsBackend.crossEntropyBackward({ ...args, targets: standIns, scale: 1, dlogits: want });
    const dlogits = rt!.alloc('float32', 20);
    lossKernels(rt!).crossEntropyBackward({ ...gpu, lse: rt!.upload(args.lse), scale: 1, dlogits });
    await expectClose(
      rt!,
      dlogits,
      want.map((v, i) => bad(v, Math.floor(i / 5))),
      'dlogits',
      GRAD,
    );
  });

  it('empty blocks match the reference ([rows, 0] with ignored targets, [0, classes])', async () => {
    await forwardBoth({ ...ceArgs(0, 5, 0), targets: new Int32Array(0) }, '[0, 5]');
    const empty = { ...ceArgs(3, 1, 0.1, 0), logits: new Float32Array(0), classes: 0 };
    empty.targets.fill(0);
    await forwardBoth(empty, '[3, 0]');
    await backwardBoth(empty, 1, '[3, 0]');
  });
});
