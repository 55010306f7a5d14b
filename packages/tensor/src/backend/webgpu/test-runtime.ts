/// <reference types="@webgpu/types" />
import { requestNodeGPU } from './dawn.js';
import { createWebGPUBackend, type WebGPUBackend } from './index.js';
import { WebGPURuntime } from './runtime.js';

/**
 * Test support for the WebGPU tests in Node (Dawn, on the machine's GPU or on Mesa's lavapipe): where
 * there is no adapter each helper resolves with null after a notice naming the skipped suite, so those
 * tests skip only there.
 */

/** This machine's default adapter and Dawn's entry point it came from, or null after the notice. */
async function findAdapter(suite: string): Promise<{ gpu: GPU; adapter: GPUAdapter } | null> {
  const gpu = (await requestNodeGPU()) as GPU | null;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!gpu || !adapter) {
    console.warn(`webgpu: no adapter here, so the ${suite} tests are skipped`);
    return null;
  }
  return { gpu, adapter };
}

/**
 * A runtime on a fresh device of this machine's adapter, for kernel tests (build the kernels under
 * test over it), or null with a printed notice naming `suite`. It keeps Dawn's entry point and the
 * adapter reachable: Dawn tears its instance down when they are collected, crashing the process.
 * The caller destroys the device after its tests (`afterAll(() => rt?.device.destroy())`).
 */
export async function testRuntime(suite: string): Promise<WebGPURuntime | null> {
  const found = await findAdapter(suite);
  return found && new WebGPURuntime(await found.adapter.requestDevice(), [found.gpu, found.adapter]);
}

/**
 * The `webgpu` backend on this machine's adapter (Dawn through the optional `webgpu` package), for
 * tests of ops or training on the GPU, or null with a printed notice that the `suite` tests are
 * skipped where there is no adapter.
 * @example
 * const backend = await testWebGPUBackend('WebGPU training');
 * if (backend) registerBackend(backend);
 * describe.runIf(backend)('training on WebGPU', () => { … });
 */
export async function testWebGPUBackend(suite: string): Promise<WebGPUBackend | null> {
  const found = await findAdapter(suite);
  return found && createWebGPUBackend({ gpu: found.gpu });
}
