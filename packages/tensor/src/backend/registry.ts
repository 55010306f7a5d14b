import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { wasmAvailable, wasmBackend } from './wasm/index.js';

const backends = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
if (wasmAvailable()) backends.set(wasmBackend.name, wasmBackend);
/** The fastest backend this engine supports: WebAssembly SIMD where available, else plain JS. */
let active: Backend = backends.get('wasm') ?? jsBackend;

/** Makes a backend selectable by name with {@link setBackend}. */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/**
 * Selects the kernels every op uses from now on. Tensors are plain typed arrays, so tensors made
 * under one backend stay usable under another.
 * @throws Error naming the known backends when `name` is not registered.
 */
export function setBackend(name: string): void {
  const backend = backends.get(name);
  if (!backend)
    throw new Error(`setBackend: unknown backend '${name}' (known: ${[...backends.keys()].join(', ')})`);
  active = backend;
}

/** The backend whose kernels ops currently call. */
export function getBackend(): Backend {
  return active;
}

/** Names of all registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}
