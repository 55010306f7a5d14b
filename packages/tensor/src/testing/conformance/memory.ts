import { expect } from 'vitest';
import { isDeviceStorage, type Storage } from '../../backend/memory.js';
import type { AnyBackend } from '../../backend/registry.js';
import { allocStorage, DTYPES, type DType, type TypedArray } from '../../dtype.js';
import { errorOf } from '../reference.js';
import { dtypeOf, holds } from './harness.js';
import type { TestApi } from './test-api.js';

/** A backend's memory functions: allocation, uploads and asynchronous reads of every dtype it holds. */

/** Values whose bits must survive an upload and a read: NaN, infinities, −0, subnormals, extremes. */
const SPECIAL: { readonly [D in DType]: TypedArray } = {
  float32: Float32Array.of(
    0,
    -0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    1.4e-45,
    -1.1754942e-38,
    3.4028235e38,
    -1 / 3,
    1,
  ),
  float64: Float64Array.of(
    0,
    -0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    5e-324,
    Number.MAX_VALUE,
    -1 / 3,
    1 + 2 ** -52,
  ),
  int32: Int32Array.of(-(2 ** 31), 2 ** 31 - 1, -1, 0, 1, 16777217),
  bool: Uint8Array.of(1, 0, 0, 1, 1),
};

/** What {@link SPECIAL} holds, for test names. */
const SPECIAL_NAMES: { readonly [D in DType]: string } = {
  float32: 'NaN, ±Infinity, −0, subnormals, the largest finite',
  float64: 'NaN, ±Infinity, −0, subnormals, the largest finite',
  int32: '−2³¹, 2³¹ − 1, 2²⁴ + 1',
  bool: '0 and 1',
};

/** `values` and a longer seeded array of the same dtype (past any small-buffer path). */
function samples(dtype: DType): TypedArray[] {
  const values = SPECIAL[dtype];
  const long = allocStorage(dtype, 1001);
  for (let i = 0; i < long.length; i++) long[i] = values[(i * 7) % values.length]!;
  return [values, long];
}

/** Whether `actual` holds exactly `expected`'s elements, in its typed array class (NaN = NaN, −0 ≠ 0). */
function expectSameElements(actual: TypedArray, expected: TypedArray, what: string): void {
  expect(actual.constructor.name, what).toBe(expected.constructor.name);
  expect(actual.length, what).toBe(expected.length);
  const i = expected.findIndex((v: number, j: number) => !Object.is(v, actual[j]));
  expect(i, `${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`).toBe(-1);
}

/** Checks that `storage` is what a backend of `backend`'s kind returns for `length` elements of `dtype`. */
function expectStorage(backend: AnyBackend, storage: Storage, dtype: DType, length: number): void {
  if (isDeviceStorage(storage)) {
    expect(backend.memory, 'a DeviceStorage handle from a host backend').toBe('device');
    expect([storage.backend, storage.dtype]).toEqual([backend.name, dtype]);
  } else {
    expect(backend.memory, 'a typed array from a device backend').toBe('host');
    expect(dtypeOf(storage)).toBe(dtype);
  }
  expect(storage.length).toBe(length);
}

/** Registers the conformance tests of `backend`'s memory functions. */
export function memoryConformance({ describe, it }: TestApi, backend: AnyBackend): void {
  const held = backend.dtypes.filter((dtype) => DTYPES.includes(dtype));
  describe(`memory (${backend.memory}; holds ${held.join(', ')})`, () => {
    it('holds float32, int32 and bool, which every op needs (float64 is optional)', () => {
      expect(backend.memory === 'host' || backend.memory === 'device').toBe(true);
      for (const dtype of backend.dtypes) expect(DTYPES).toContain(dtype);
      for (const dtype of ['float32', 'int32', 'bool'] as const) expect(backend.dtypes).toContain(dtype);
    });

    for (const dtype of held) {
      it(`alloc(${dtype}, n) gives n zeros (n = 0, 1, 5, 1001)`, async () => {
        for (const n of [0, 1, 5, 1001]) {
          const storage = backend.alloc(dtype, n);
          expectStorage(backend, storage, dtype, n);
          expectSameElements(
            await backend.readAsync(storage),
            allocStorage(dtype, n),
            `alloc(${dtype}, ${n})`,
          );
        }
      });

      it(`upload then readAsync round-trips ${dtype} exactly (${SPECIAL_NAMES[dtype]})`, async () => {
        for (const values of samples(dtype)) {
          const storage = backend.upload(values);
          expectStorage(backend, storage, dtype, values.length);
          expectSameElements(await backend.readAsync(storage), values, `${dtype} of ${values.length}`);
        }
      });
    }

    it('readAsync returns a copy: writing into it changes nothing', async () => {
      for (const dtype of held) {
        const values = SPECIAL[dtype];
        const storage = backend.upload(values);
        const first = await backend.readAsync(storage);
        first.fill(1);
        expectSameElements(
          await backend.readAsync(storage),
          values,
          `${dtype} read after a write into a read`,
        );
      }
    });

    if (backend.memory === 'device')
      it('upload copies (device memory): writing into the source afterwards changes nothing', async () => {
        const values = Float32Array.of(1, 2, 3);
        const storage = backend.upload(values);
        values.fill(9);
        expectSameElements(await backend.readAsync(storage), Float32Array.of(1, 2, 3), 'uploaded float32');
      });

    it('storage of length 0: alloc, upload, readAsync, and a kernel over it', async () => {
      for (const dtype of held) {
        const empty = allocStorage(dtype, 0);
        const [allocated, uploaded] = [backend.alloc(dtype, 0), backend.upload(empty)];
        expectSameElements(await backend.readAsync(allocated), empty, `alloc(${dtype}, 0)`);
        expectSameElements(await backend.readAsync(uploaded), empty, `upload of an empty ${dtype} array`);
      }
      const out = backend.alloc('float32', 0);
      backend.unary('neg', backend.alloc('float32', 0), out);
      expectSameElements(await backend.readAsync(out), new Float32Array(0), 'neg of nothing');
    });

    if (!holds(backend, 'float64'))
      it('float64 is not held: alloc and upload throw a DTypeError naming float64 (its kernel cases are not registered)', () => {
        for (const error of [
          errorOf(() => backend.alloc('float64', 1)),
          errorOf(() => backend.upload(Float64Array.of(1))),
        ]) {
          expect(error.name).toBe('DTypeError');
          expect(error.message).toContain('float64');
        }
      });
  });
}
