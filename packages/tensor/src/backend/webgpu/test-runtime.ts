/// <reference types="@webgpu/types" />
import { requestNodeGPU } from '../../node/index.js';
import { WebGPURuntime } from './runtime.js';

/**
 * A runtime on this machine's WebGPU adapter for kernel tests, or null (with a printed notice naming
 * `suite`) where there is none, so those tests skip only there.
 */
export async function testRuntime(suite: string): Promise<WebGPURuntime | null> {
  const gpu = (await requestNodeGPU()) as GPU | null;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) {
    console.warn(`webgpu: no adapter here, so the ${suite} tests are skipped`);
    return null;
  }
  return new WebGPURuntime(await adapter.requestDevice(), [gpu, adapter]);
}
