import { describe, expect, it } from 'vitest';
import { isDeviceStorage } from '../backend/memory.js';
import { createEmulatedDeviceBackend } from './emulated-device.js';
import { errorOf } from './reference.js';

/** The emulated device's own contract; the conformance suite runs on it in src/backend/conformance. */
describe('createEmulatedDeviceBackend', () => {
  const device = createEmulatedDeviceBackend();

  it('keeps its elements out of reach: storages are handles with a backend, dtype and length only', async () => {
    const storage = device.upload(Float32Array.of(1, 2, 3));
    expect(isDeviceStorage(storage)).toBe(true);
    expect({ ...storage }).toEqual({ backend: 'emulated-device' });
    expect([storage.dtype, storage.length]).toEqual(['float32', 3]);
    expect(JSON.stringify(storage)).toBe('{"backend":"emulated-device"}');
    expect(await device.readAsync(storage)).toEqual(Float32Array.of(1, 2, 3));
  });

  it('refuses host typed arrays in kernels, naming the argument; per-matrix offsets stay host arrays', async () => {
    const out = device.alloc('float32', 1);
    expect(errorOf(() => device.unary('neg', Float32Array.of(1) as never, out))).toEqual({
      name: 'DeviceMemoryError',
      message:
        'emulated-device unary: argument 1 is a host Float32Array where device storage belongs (upload it first)',
    });
    const matrix = device.upload(Float32Array.of(2));
    const args = {
      a: matrix,
      b: matrix,
      out,
      batch: 1,
      m: 1,
      n: 1,
      k: 1,
      aOffsets: new Int32Array(1),
      bOffsets: new Int32Array(1),
      aRowStride: 1,
      aColStride: 1,
      bRowStride: 1,
      bColStride: 1,
    };
    device.matmul(args);
    expect(await device.readAsync(out)).toEqual(Float32Array.of(4));
    expect(errorOf(() => device.matmul({ ...args, b: Float32Array.of(2) } as never)).message).toBe(
      'emulated-device matmul: b is a host Float32Array where device storage belongs (upload it first)',
    );
  });

  it("refuses another backend's storage in kernels and reads", async () => {
    const other = createEmulatedDeviceBackend({ name: 'other' });
    const foreign = other.alloc('float32', 1);
    expect(errorOf(() => device.unary('neg', foreign, device.alloc('float32', 1)))).toEqual({
      name: 'DeviceMemoryError',
      message: "emulated-device unary: argument 1 is storage of backend 'other', not of this one",
    });
    await expect(device.readAsync(foreign)).rejects.toThrow(
      "emulated-device readAsync: its argument is storage of backend 'other', not of this one",
    );
  });

  it('holds float32, int32 and bool; float64 is a DTypeError naming the backend', () => {
    expect(device.dtypes).toEqual(['float32', 'int32', 'bool']);
    expect(errorOf(() => device.alloc('float64', 2))).toEqual({
      name: 'DTypeError',
      message: 'emulated-device alloc: float64 is not held (float32, int32 and bool are)',
    });
    expect(errorOf(() => device.upload(new Float64Array(2))).name).toBe('DTypeError');
  });

  it('has no packLinear (host backends only)', () => {
    expect(device.packLinear).toBeUndefined();
  });
});
