import { afterAll, describe, expect, it } from 'vitest';
import { testRuntime } from './test-runtime.js';

const rt = await testRuntime('WebGPU memory');
afterAll(() => rt?.device.destroy());

describe.runIf(rt)('webgpu runtime memory', () => {
  it('uploads, allocates zeroed storage and reads back every dtype', async () => {
    const backend = rt!;
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
