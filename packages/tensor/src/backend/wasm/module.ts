import { MAX_MEMORY_PAGES, MEMORY_FLAG_OFFSET, PLAIN_WASM, RELAXED_WASM } from './kernels.generated.js';

/** Exports of the kernel module (see `asm/*.wat`). Pointers are byte addresses in the shared memory. */
export interface KernelExports {
  /** Bytes of packing scratch one thread needs for {@link KernelExports.matmul_f32}. */
  matmul_scratch_bytes(): number;
  /** Thread `tid` of `nt`'s share of the batched product described at `desc`. */
  matmul_f32(desc: number, tid: number, nt: number): void;
  /** In-place elementwise function `op` (a code of `UNARY_CODES`) over `n` floats at `p` (n % 4 == 0). */
  unary_f32(op: number, p: number, n: number): void;
}

/** A compiled kernel module and the memory flavour it was compiled for. */
export interface CompiledKernels {
  module: WebAssembly.Module;
  /** Uses relaxed-SIMD fused multiply-add. */
  relaxed: boolean;
  /** Imports a shared memory (threads possible). */
  shared: boolean;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** True when this engine runs WebAssembly with fixed-width SIMD (the plain kernels validate). */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(decodeBase64(PLAIN_WASM));
  } catch {
    return false;
  }
}

/**
 * Compiles the kernels: the relaxed-SIMD build when the engine validates it (feature detection),
 * else the plain one; for an unshared memory the memory-import flag is patched from shared to unshared.
 */
export function compileKernels(shared: boolean): CompiledKernels {
  const relaxedBytes = decodeBase64(RELAXED_WASM);
  const relaxed = WebAssembly.validate(relaxedBytes);
  const bytes = relaxed ? relaxedBytes : decodeBase64(PLAIN_WASM);
  if (!shared) bytes[relaxed ? MEMORY_FLAG_OFFSET.relaxed : MEMORY_FLAG_OFFSET.plain] = 1;
  return { module: new WebAssembly.Module(bytes), relaxed, shared };
}

/**
 * A memory for the kernels: shared (so worker threads can join) where `SharedArrayBuffer` is
 * available, else unshared. Shared memories need a maximum; smaller ones are tried where a large
 * reservation fails (32-bit hosts).
 */
export function createMemory(initialPages: number): { memory: WebAssembly.Memory; shared: boolean } {
  if (typeof SharedArrayBuffer === 'function') {
    for (const maximum of [MAX_MEMORY_PAGES, 16384, 4096]) {
      try {
        const memory = new WebAssembly.Memory({ initial: initialPages, maximum, shared: true });
        return { memory, shared: true };
      } catch {
        // try a smaller reservation, then an unshared memory
      }
    }
  }
  return {
    memory: new WebAssembly.Memory({ initial: initialPages, maximum: MAX_MEMORY_PAGES }),
    shared: false,
  };
}

/** Instantiates `compiled` over `memory` (synchronously; the module is small). */
export function instantiate(compiled: CompiledKernels, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(compiled.module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
