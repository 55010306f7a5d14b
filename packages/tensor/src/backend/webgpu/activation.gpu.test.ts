import { afterAll, describe, it } from 'vitest';
import { randomF32 } from '../../testing/conformance/helpers.js';
import type { UnaryGradOp } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { activationKernels } from './activation.js';
import { compareWithReference, type OnDevice } from './rows-testing.js';
import { testRuntime } from './test-runtime.js';

const rt = await testRuntime('activation derivative');
afterAll(() => rt?.device.destroy());

const OPS: UnaryGradOp[] = ['gelu', 'geluTanh', 'silu', 'relu', 'sigmoid', 'tanh'];

// Derivatives of order 1 from float32 arithmetic and WGSL's exp (not correctly rounded: within a few
// ulps on GPUs, ~4e-6 relative for arguments near −60 on lavapipe, where the values are below 1e-20).
const TOLERANCE = { rtol: 1e-5, atol: 1e-6 };

/** Inputs where a derivative could lose accuracy or propagate a special value. */
const SPECIAL_X = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e30,
  -1e30,
  3e19,
  -3e19,
  1e-30,
  -1e-30,
  -0,
  0,
  20,
  -20,
  88,
  -88,
];

/** Compares the GPU's `dx` of `op` with the reference's on `x` and `dy`. */
async function compare(op: UnaryGradOp, x: Float32Array, dy: Float32Array, what: string): Promise<void> {
  const kernel = {
    reference: (a: { x: Float32Array; dy: Float32Array; dx: Float32Array }) =>
      jsBackend.unaryBackward(op, a.x, a.dy, a.dx),
    gpu: (a: OnDevice<{ x: Float32Array; dy: Float32Array; dx: Float32Array }>) =>
      activationKernels(rt!).unaryBackward(op, a.x, a.dy, a.dx),
  };
  const dx = new Float32Array(x.length).fill(Number.NaN);
  await compareWithReference(rt!, kernel, { x, dy, dx }, ['dx'], `${op}' ${what}`, TOLERANCE);
}

describe.runIf(rt)('webgpu activation derivatives', () => {
  for (const op of OPS) {
    it(`${op} matches the reference on seeded inputs, special values and empty arrays`, async () => {
      for (const n of [1, 3, 17, 65, 1000, 4099]) {
        const x = randomF32(n, n, -9, 9);
        x[0] = 0;
        await compare(op, x, randomF32(n, n + 1), `n=${n}`);
      }
      const x = Float32Array.from(SPECIAL_X);
      await compare(op, x, new Float32Array(x.length).fill(0.75), 'special x');
      const dy = Float32Array.from(x, (_, i) => [Number.NaN, Number.POSITIVE_INFINITY, -2][i % 3]!);
      await compare(
        op,
        Float32Array.from(x, (_, i) => [-1, 0, 0.5, 3][i % 4]!),
        dy,
        'special dy',
      );
      await compare(op, new Float32Array(0), new Float32Array(0), 'empty');
    });
  }
});
