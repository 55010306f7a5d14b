import { setFloat32Source } from '../dtype.js';
import { DeviceMemoryError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { type DeviceStorage, isDeviceStorage, type KernelMemory, type Storage } from './memory.js';
import { residentFloat32, wasmAvailable, wasmBackend } from './wasm/index.js';

/** Kernel memory as the op layer sees it: any backend's storage, checked by {@link operandStorage}. */
export interface AnyMemory extends KernelMemory {
  array: Storage;
  float: Storage;
  int32: Storage;
}

/** A backend of any kind of memory, as ops call it. */
export type AnyBackend = Backend<AnyMemory>;

const backends = new Map<string, AnyBackend>([[jsBackend.name, jsBackend]]);
if (wasmAvailable()) backends.set(wasmBackend.name, wasmBackend);
/** The fastest host backend this engine supports: WebAssembly SIMD where available, else plain JS. */
const defaultHost: AnyBackend = backends.get('wasm') ?? jsBackend;
let active: AnyBackend = defaultHost;
activate(defaultHost);

/** Makes `backend` active; float32 storage lives in the WASM kernels' memory while they are. */
function activate(backend: AnyBackend): void {
  active = backend;
  setFloat32Source(backend === wasmBackend ? residentFloat32 : null);
}

/** Makes a backend selectable by name with {@link setBackend}. */
export function registerBackend(backend: AnyBackend): void {
  backends.set(backend.name, backend);
}

/**
 * Selects the kernels every op uses from now on. Tensors in host memory stay usable under every
 * backend (a device backend copies them in); tensors in a device's memory only under their own.
 * @throws Error naming the known backends when `name` is not registered.
 */
export function setBackend(name: string): void {
  const backend = backends.get(name);
  if (!backend)
    throw new Error(`setBackend: unknown backend '${name}' (known: ${[...backends.keys()].join(', ')})`);
  activate(backend);
}

/** The backend whose kernels ops currently call (its kernel table: `@proj/tensor/internal`). */
export function getBackend(): AnyBackend {
  return active;
}

/** Name of the backend ops currently run on (`'wasm'`, `'js'`, or a registered one such as `'webgpu'`). */
export function backendName(): string {
  return active.name;
}

/** Names of all registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/**
 * The backend that owns `t`'s memory: its device backend; for host memory the active backend when it
 * is a host backend, else the default host one (a device backend's kernels cannot read host arrays).
 */
export function backendOf(t: Tensor): AnyBackend {
  const buffer = t.buffer;
  if (!isDeviceStorage(buffer)) return hostBackend();
  const owner = backends.get(buffer.backend);
  if (!owner)
    throw new DeviceMemoryError(`tensor storage belongs to unregistered backend '${buffer.backend}'`);
  return owner;
}

/**
 * `t`'s storage as `backend`'s kernels take it: host memory as is on a host backend and copied in on a
 * device backend, device memory only on the backend that owns it.
 * @throws DeviceMemoryError naming `op` when `t` lives in another device backend's memory.
 */
export function operandStorage(op: string, t: Tensor, backend: AnyBackend = active): Storage {
  const buffer = t.buffer;
  if (!isDeviceStorage(buffer)) return backend.memory === 'host' ? buffer : backend.upload(buffer);
  if (buffer.backend === backend.name) return buffer;
  throw new DeviceMemoryError(
    `${op}: a ${t.dtype} tensor of shape ${fmtShape(t.shape)} lives in ${buffer.backend} memory but the active backend is ${backend.name}; compute under setBackend('${buffer.backend}'), or copy it out with await t.dataAsync()`,
  );
}

/**
 * The backend an op on `tensors` runs on, as PyTorch's ops follow their operands' device: the device
 * backend whose memory holds any of them (host operands are copied in), else a host backend (the
 * active one, or the default while a device backend is active). New tensors from creation and random
 * ops go where the active backend keeps them.
 * @throws DeviceMemoryError naming `op` when operands live in two device backends' memory.
 */
export function backendFor(op: string, ...tensors: readonly Tensor[]): AnyBackend {
  let device: DeviceStorage | null = null;
  let owner: Tensor | null = null;
  for (const t of tensors) {
    const buffer = t.buffer;
    if (!isDeviceStorage(buffer) || buffer.backend === device?.backend) continue;
    if (device !== null)
      throw new DeviceMemoryError(
        `${op}: operands live in ${device.backend} and ${buffer.backend} memory; move them to one backend`,
      );
    device = buffer;
    owner = t;
  }
  return owner === null ? hostBackend() : backendOf(owner);
}

/** The backend for tensors in host memory: the active one when it is a host backend, else the default (wasm or js). */
function hostBackend(): AnyBackend {
  return active.memory === 'host' ? active : defaultHost;
}
