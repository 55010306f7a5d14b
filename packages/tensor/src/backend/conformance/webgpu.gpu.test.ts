/// <reference types="@webgpu/types" />
import { it } from 'vitest';
import { requestNodeGPU } from '../../node/index.js';
import { describeBackendConformance } from '../../testing/index.js';
import { createWebGPUBackend } from '../webgpu/index.js';

/**
 * The conformance suite on the WebGPU backend: Dawn in Node, on the machine's GPU or on Mesa's
 * lavapipe. Where no adapter exists it prints why and registers one skipped placeholder (vitest
 * fails a file that registers no test).
 */
const gpu = (await requestNodeGPU()) as GPU | null;
const adapter = gpu ? await gpu.requestAdapter() : null;
if (adapter) await describeBackendConformance('webgpu', () => createWebGPUBackend({ gpu }));
else {
  console.warn('webgpu: no adapter here, so the WebGPU conformance suite is skipped');
  it.skip('webgpu backend conformance (needs a WebGPU adapter)', () => {});
}
