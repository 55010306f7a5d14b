import { allocStorage, type DType, type FloatArray, type TypedArray } from '../dtype.js';

/**
 * The array types a backend's kernels take, by role: any element type, float data, and int32 data
 * (targets, indices). Host backends take typed arrays ({@link HostMemory}); a backend whose memory
 * the CPU cannot read takes handles of its own ({@link DeviceStorage}).
 */
export interface KernelMemory {
  array: unknown;
  float: unknown;
  int32: unknown;
}

/** Kernel memory of the CPU backends: typed arrays in JavaScript's heap. */
export interface HostMemory extends KernelMemory {
  array: TypedArray;
  float: FloatArray;
  int32: Int32Array;
}

/**
 * Elements that live in a device's memory (a GPU buffer), owned by the backend named `backend`. The
 * CPU reads them only asynchronously, through that backend's `readAsync`.
 */
export interface DeviceStorage {
  /** Name of the backend that allocated it. */
  readonly backend: string;
  readonly dtype: DType;
  /** Number of elements. */
  readonly length: number;
}

/** Kernel memory of a device backend: every array is a {@link DeviceStorage} handle. */
export interface DeviceMemory extends KernelMemory {
  array: DeviceStorage;
  float: DeviceStorage;
  int32: DeviceStorage;
}

/** Where a tensor's elements are: a typed array on the host, or a handle into a device's memory. */
export type Storage = TypedArray | DeviceStorage;

/** True for storage in a device's memory (not a typed array). */
export function isDeviceStorage(storage: Storage): storage is DeviceStorage {
  return !ArrayBuffer.isView(storage);
}

/**
 * How a backend allocates and moves the arrays its kernels take. Host backends share
 * {@link hostBackendMemory}: their arrays are plain typed arrays, read synchronously.
 */
export interface BackendMemory<M extends KernelMemory> {
  /** `'host'` when its arrays are typed arrays the CPU reads at once; `'device'` otherwise. */
  readonly memory: 'host' | 'device';
  /** The dtypes its memory holds (ops on other dtypes throw a DTypeError naming the backend). */
  readonly dtypes: readonly DType[];
  /** Zeroed storage for `length` elements of `dtype`. */
  alloc(dtype: DType, length: number): M['array'];
  /** Storage holding a copy of `values` (a host backend may return `values` itself: never write into it). */
  upload(values: TypedArray): M['array'];
  /** The elements of `storage` as a fresh typed array, once the backend's queued work has finished. */
  readAsync(storage: M['array']): Promise<TypedArray>;
}

/** The memory of every CPU backend: arrays from {@link allocStorage}, uploads without a copy. */
export const hostBackendMemory: BackendMemory<HostMemory> = {
  memory: 'host',
  dtypes: ['float32', 'float64', 'int32', 'bool'],
  alloc: (dtype, length) => allocStorage(dtype, length),
  upload: (values) => values,
  readAsync: async (storage) => storage.slice(),
};
