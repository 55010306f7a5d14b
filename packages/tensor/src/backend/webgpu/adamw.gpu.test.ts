import { afterAll, describe, it } from 'vitest';
import { randomF32 } from '../../testing/conformance/helpers.js';
import type { AdamWArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { adamwKernels } from './adamw.js';
import { compareWithReference, expectClose, toDevice } from './rows-testing.js';
import { testRuntime } from './test-runtime.js';

const rt = await testRuntime('AdamW');
afterAll(() => rt?.device.destroy());

// The reference works each element in double and rounds once; the GPU rounds every float32 step
// (and may contract multiply-adds): a few ulps a step, over ten steps.
const TOLERANCE = { rtol: 1e-5, atol: 1e-7 };

describe.runIf(rt)('webgpu adamw', () => {
  it('ten steps track the reference (params and moments), with and without weight decay', async () => {
    for (const n of [1, 3, 17, 1001, 4099])
      for (const weightDecay of [0, 0.1]) {
        const host = { param: randomF32(n, n), m: new Float32Array(n), v: new Float32Array(n) };
        const gpu = toDevice(rt!, host);
        for (let step = 1; step <= 10; step++) {
          const grad = randomF32(n, 100 * n + step, -0.1, 0.1);
          const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay, step };
          jsBackend.adamw({ ...host, grad, ...hyper });
          adamwKernels(rt!).adamw({ ...gpu, grad: rt!.upload(grad), ...hyper });
        }
        for (const key of ['param', 'm', 'v'] as const)
          await expectClose(rt!, gpu[key], host[key], `adamw ${key} n=${n} wd=${weightDecay}`, TOLERANCE);
      }
  });

  it('a NaN or infinite gradient reaches the parameter as the reference, other elements unharmed', async () => {
    const args: AdamWArgs = {
      param: Float32Array.of(1, -2, 3, 0.5),
      grad: Float32Array.of(Number.NaN, Number.POSITIVE_INFINITY, 0.25, 0),
      m: Float32Array.of(0.1, 0, -0.1, 0),
      v: Float32Array.of(0.01, 0, 0.02, 0),
      lr: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0.01,
      step: 3,
    };
    const kernel = { reference: jsBackend.adamw, gpu: adamwKernels(rt!).adamw };
    await compareWithReference(rt!, kernel, args, ['param', 'm', 'v'], 'adamw', TOLERANCE);
  });
});
