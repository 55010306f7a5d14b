import { it } from 'vitest';
import { describeBackendConformance } from '../../testing/index.js';
import { testWebGPUBackend } from '../webgpu/test-runtime.js';

/**
 * The conformance suite on the WebGPU backend: Dawn in Node, on the machine's GPU or on Mesa's
 * lavapipe. Where no adapter exists it prints why and registers one skipped placeholder (vitest
 * fails a file that registers no test).
 */
const backend = await testWebGPUBackend('WebGPU conformance');
if (backend) await describeBackendConformance('webgpu', () => backend);
else it.skip('webgpu backend conformance (needs a WebGPU adapter)', () => {});
