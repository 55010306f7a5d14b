import { afterAll, describe, expect, it } from 'vitest';
import { requestNodeGPU } from '../../node/index.js';
import { WebGPURuntime } from './runtime.js';

const gpu = await requestNodeGPU();
const adapter = gpu ? await (gpu as GPU).requestAdapter() : null;
if (!adapter) console.warn('webgpu: no adapter here, so the WebGPU memory tests are skipped');

describe.runIf(adapter)('webgpu runtime memory', () => {
  it('uploads, allocates zeroed storage and reads back every dtype', async () => {
    const device = await adapter!.requestDevice();
    afterAll(() => device.destroy());
    const backend = new WebGPURuntime(device);
    expect(await backend.readAsync(backend.upload(Float32Array.of(1.5, -2, Number.NaN)))).toEqual(
      Float32Array.of(1.5, -2, Number.NaN),
    );
    expect(await backend.readAsync(backend.upload(Int32Array.of(7, -8)))).toEqual(Int32Array.of(7, -8));
    expect(await backend.readAsync(backend.upload(Uint8Array.of(1, 0, 1)))).toEqual(Uint8Array.of(1, 0, 1));
    expect(await backend.readAsync(backend.alloc('float32', 5))).toEqual(new Float32Array(5));
    expect(await backend.readAsync(backend.alloc('int32', 0))).toEqual(new Int32Array(0));
    expect(() => backend.alloc('float64', 2)).toThrow('webgpu: float64 is not supported on the GPU');
  });
});
