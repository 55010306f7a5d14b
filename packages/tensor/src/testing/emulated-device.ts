import type { Backend, CrossEntropyArgs, CrossEntropyBackwardArgs } from '../backend/backend.js';
import { jsBackend } from '../backend/js/index.js';
import type { BackendMemory, DeviceMemory, DeviceStorage } from '../backend/memory.js';
import { type DType, dtypeOfArray, type TypedArray } from '../dtype.js';
import { DeviceMemoryError, DTypeError } from '../errors.js';
import { HOST_FIELDS } from './conformance/harness.js';
import { HOST_ONLY_KERNELS, kernelNames } from './conformance/kernels.js';

/** Array types of the dtypes the emulated device holds: those of the WebGPU backend (no float64). */
const DEVICE_ARRAYS = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const;
type DeviceDType = keyof typeof DEVICE_ARRAYS;
/** The kernel table of a device backend (its members other than name and memory functions). */
type DeviceKernels = Omit<Backend<DeviceMemory>, 'name' | keyof BackendMemory<DeviceMemory>>;

/** Elements in emulated device memory: the typed array is private; only its backend reads it. */
class EmulatedStorage implements DeviceStorage {
  readonly #values: TypedArray;

  constructor(
    readonly backend: string,
    values: TypedArray,
  ) {
    this.#values = values;
  }

  get dtype(): DType {
    return dtypeOfArray(this.#values)!;
  }

  get length(): number {
    return this.#values.length;
  }

  /**
   * The elements behind `storage`, for the kernels of backend `owner`.
   * @throws DeviceMemoryError naming `where` when `storage` is not emulated storage of `owner`.
   */
  static open(storage: unknown, owner: string, where: string): TypedArray {
    if (storage instanceof EmulatedStorage && storage.backend === owner) return storage.#values;
    const from = (storage as Partial<DeviceStorage>).backend;
    throw new DeviceMemoryError(`${owner} ${where} is storage of backend '${from}', not of this one`);
  }
}

/**
 * The JS reference as a GPU computes it, the default kernels of {@link createEmulatedDeviceBackend}:
 * a GPU kernel cannot throw, so a cross-entropy target outside `[0, classes)` (other than
 * `ignoreIndex`) gives NaN for its row's loss, lse and gradient instead of a RangeError.
 */
export const deviceContractKernels: Backend = {
  ...jsBackend,
  crossEntropy: (args) =>
    withBadTargetsIgnored(args, jsBackend.crossEntropy, (r) => {
      args.losses[r] = Number.NaN;
      args.lse[r] = Number.NaN;
    }),
  crossEntropyBackward: (args) =>
    withBadTargetsIgnored(args, jsBackend.crossEntropyBackward, (r) =>
      args.dlogits.fill(Number.NaN, r * args.classes, (r + 1) * args.classes),
    ),
};

/** Runs a cross-entropy `kernel` with its out-of-range targets ignored, then `poison`s their rows. */
function withBadTargetsIgnored<A extends CrossEntropyArgs | CrossEntropyBackwardArgs>(
  args: A,
  kernel: (args: A) => void,
  poison: (row: number) => void,
): void {
  const { targets, rows, classes, ignoreIndex } = args;
  const bad = (t: number) => t !== ignoreIndex && !(t >= 0 && t < classes);
  kernel({ ...args, targets: targets.map((t) => (bad(t) ? ignoreIndex : t)) });
  for (let r = 0; r < rows; r++) if (bad(targets[r]!)) poison(r);
}

/** Options of {@link createEmulatedDeviceBackend}. */
export interface EmulatedDeviceOptions {
  /** The backend's name, which each of its storages carries (default `'emulated-device'`). */
  name?: string;
  /**
   * The host kernels it runs behind device memory, computing what the device's kernels compute
   * (default: {@link deviceContractKernels}).
   */
  kernels?: Backend;
}

/**
 * A backend with the memory of a GPU and the kernels of a host backend (by default
 * {@link deviceContractKernels}), for testing without a GPU what a device backend changes: its
 * storages are opaque `DeviceStorage` handles (`memory: 'device'`, no float64), readable only
 * through `await readAsync(…)`; its kernels refuse host typed arrays (except the per-matrix offsets
 * of `MatmulArgs` and `MatrixBatch`, host metadata) and storage of other backends; it has no
 * `packLinear` (host backends only).
 *
 * The conformance suite runs on it in this package. Registered and selected, it runs op-level code
 * under device memory rules: a kernel given a host array, or a synchronous read of one of its
 * tensors, throws a DeviceMemoryError that says where.
 * @example
 * registerBackend(createEmulatedDeviceBackend());
 * setBackend('emulated-device');
 */
export function createEmulatedDeviceBackend(options: EmulatedDeviceOptions = {}): Backend<DeviceMemory> {
  const { name = 'emulated-device', kernels: host = deviceContractKernels } = options;
  const held = (dtype: DType | undefined, where: string): DeviceDType => {
    if (dtype && dtype in DEVICE_ARRAYS) return dtype as DeviceDType;
    throw new DTypeError(
      `${name} ${where}: ${dtype ?? 'this array type'} is not held (float32, int32 and bool are)`,
    );
  };
  const kernels: Record<string, (...args: unknown[]) => void> = {};
  for (const kernel of kernelNames(jsBackend)) {
    if (HOST_ONLY_KERNELS.includes(kernel)) continue;
    const run = (Reflect.get(host, kernel) as (...args: unknown[]) => void).bind(host);
    kernels[kernel] = (...args) =>
      run(...args.map((arg, i) => toHost(arg, args.length > 1 ? `argument ${i}` : '', kernel, name)));
  }
  return {
    name,
    memory: 'device',
    dtypes: Object.keys(DEVICE_ARRAYS) as DeviceDType[],
    alloc: (dtype, length) => new EmulatedStorage(name, new DEVICE_ARRAYS[held(dtype, 'alloc')](length)),
    upload: (values) => {
      held(dtypeOfArray(values), 'upload');
      return new EmulatedStorage(name, values.slice());
    },
    readAsync: async (storage) => EmulatedStorage.open(storage, name, 'readAsync: its argument').slice(),
    // the host kernels above, taking DeviceStorage where the host ones take typed arrays
    ...(kernels as unknown as DeviceKernels),
  };
}

/**
 * `value` (at `path` of an argument of `kernel`) as host kernels take it: storage of `owner` opened,
 * plain objects mapped, the rest kept.
 * @throws DeviceMemoryError naming the kernel and the path for a host typed array outside
 * {@link HOST_FIELDS}, or storage of another backend.
 */
function toHost(value: unknown, path: string, kernel: string, owner: string): unknown {
  const key = path.slice(path.lastIndexOf('.') + 1);
  if (ArrayBuffer.isView(value)) {
    if (HOST_FIELDS.has(key)) return value;
    throw new DeviceMemoryError(
      `${owner} ${kernel}: ${path} is a host ${value.constructor.name} where device storage belongs (upload it first)`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  if ('backend' in value) return EmulatedStorage.open(value, owner, `${kernel}: ${path}`);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, toHost(v, path ? `${path}.${k}` : k, kernel, owner)]),
  );
}
