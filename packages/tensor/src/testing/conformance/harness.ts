import type { Storage } from '../../backend/memory.js';
import type { AnyBackend } from '../../backend/registry.js';
import { type DType, dtypeOfArray, type TypedArray } from '../../dtype.js';

/**
 * How the conformance suite runs a kernel on any backend, host or device: inputs are host typed
 * arrays (seeded, as the JS reference reads them), uploaded into the backend's memory; outputs are
 * allocated there (or uploaded pre-filled); results come back through `readAsync`.
 */

const HOST_FIELD_NAMES = ['offsets', 'aOffsets', 'bOffsets'] as const;
type HostField = (typeof HOST_FIELD_NAMES)[number];
/**
 * Fields of kernel arguments that stay host typed arrays on every backend: the per-matrix offsets of
 * `MatmulArgs` and `MatrixBatch`, metadata the backend reads on the CPU (uploading it itself where a
 * shader needs it).
 */
export const HOST_FIELDS: ReadonlySet<string> = new Set(HOST_FIELD_NAMES);

/** `T` as a backend's kernels take it: every typed array outside {@link HOST_FIELDS} is storage. */
export type OnBackend<T> = T extends TypedArray
  ? Storage
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]: K extends HostField ? T[K] : OnBackend<T[K]> }
      : T;

/** True when `backend`'s memory holds `dtype` (cases in other dtypes are not registered for it). */
export function holds(backend: AnyBackend, dtype: DType): boolean {
  return backend.dtypes.includes(dtype);
}

/** The dtype of a host array the suite builds (Float32Array, Float64Array, Int32Array, Uint8Array). */
export function dtypeOf(array: TypedArray): DType {
  const dtype = dtypeOfArray(array);
  if (!dtype) throw new TypeError(`conformance: ${array.constructor.name} is not the array of a dtype`);
  return dtype;
}

/**
 * Runs one kernel call on `backend` from host arrays and returns its outputs as host arrays:
 * - every typed array in `args` (at any depth, except {@link HOST_FIELDS}) is uploaded once, so
 *   operands sharing a host array share one storage;
 * - each output named in `outputs` (a top-level field of `args`) is allocated with `backend.alloc`
 *   when its host array is all +0 (what `alloc` gives), and uploaded otherwise: pre-filled (NaN, to
 *   see that the kernel writes every element) or state the kernel updates in place;
 * - `call` runs the kernel on the arguments as the backend holds them;
 * - the outputs are read back with `await backend.readAsync`, checked to have the dtype and length
 *   of their host arrays.
 * On a host backend `upload` may return the host array itself, so this is the direct call, read
 * through a copy.
 * @example
 * const args = { x, out: new Float32Array(x.length) };
 * const { out } = await runKernel(backend, args, ['out'], (a) => backend.unary('exp', a.x, a.out));
 */
export async function runKernel<A extends object, K extends keyof A & string>(
  backend: AnyBackend,
  args: A,
  outputs: readonly K[],
  call: (args: OnBackend<A>) => void,
): Promise<{ [P in K]: A[P] }> {
  const stored = new Map<TypedArray, Storage>();
  for (const name of outputs) {
    const host = args[name] as TypedArray;
    const fresh = host.every((v: number) => Object.is(v, 0));
    stored.set(host, fresh ? backend.alloc(dtypeOf(host), host.length) : backend.upload(host));
  }
  const place = (array: TypedArray): Storage => {
    let storage = stored.get(array);
    if (!storage) stored.set(array, (storage = backend.upload(array)));
    return storage;
  };
  call(toBackend(args, '', place) as OnBackend<A>);
  const results: Partial<Record<K, TypedArray>> = {};
  for (const name of outputs) {
    const host = args[name] as TypedArray;
    const read = await backend.readAsync(stored.get(host)!);
    if (read.constructor !== host.constructor || read.length !== host.length)
      throw new TypeError(
        `conformance: readAsync of output '${name}' gave a ${read.constructor.name} of ${read.length}, expected a ${host.constructor.name} of ${host.length}`,
      );
    results[name] = read;
  }
  return results as { [P in K]: A[P] };
}

/** `value` with its typed arrays placed in the backend's memory (plain objects copied, the rest kept). */
function toBackend(value: unknown, key: string, place: (array: TypedArray) => Storage): unknown {
  if (ArrayBuffer.isView(value)) return HOST_FIELDS.has(key) ? value : place(value as TypedArray);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toBackend(v, k, place)]));
}
