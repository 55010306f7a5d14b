import { afterAll } from 'vitest';
import { requestNodeGPU } from '../../node/index.js';
import { elementwiseKernels } from './elementwise.js';
import { WebGPURuntime } from './runtime.js';

/**
 * Test support for the `*.gpu.test.ts` files of the elementwise and reduce kernels (not part of the
 * package's API): a Dawn adapter, or null where there is none (those tests then skip with a notice).
 */

const gpu = (await requestNodeGPU()) as GPU | null;

/** The adapter the tests run on, or null. */
export const testAdapter = (await gpu?.requestAdapter()) ?? null;

/**
 * A runtime and the elementwise kernels on a fresh device, destroyed after the calling file's tests.
 * Dawn frees its instance once the entry point object is garbage-collected, even while one of its
 * devices is in use, and later calls then crash the process: referencing `gpu` here keeps it alive.
 */
export async function testKernels(): Promise<{
  rt: WebGPURuntime;
  kernels: ReturnType<typeof elementwiseKernels>;
}> {
  if (!gpu || !testAdapter) throw new Error('webgpu tests: no WebGPU adapter here');
  const device = await testAdapter.requestDevice();
  afterAll(() => device.destroy());
  const rt = new WebGPURuntime(device);
  return { rt, kernels: elementwiseKernels(rt) };
}
