import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { wasmUnary } from './elementwise.js';
import { wasmMatmul } from './matmul.js';
import { wasmSimdSupported } from './module.js';
import { getRuntime } from './runtime.js';

/**
 * The WebAssembly SIMD kernels (float32 fast paths), with the JS kernels for every dtype or layout
 * they do not cover. The module is instantiated on first use.
 */
export const wasmBackend: Backend = {
  ...jsBackend,
  name: 'wasm',
  unary(op, x, out) {
    const rt = getRuntime();
    if (!rt || !wasmUnary(rt, op, x, out)) jsBackend.unary(op, x, out);
  },
  matmul(args) {
    const rt = getRuntime();
    if (!rt || !wasmMatmul(rt, args)) jsBackend.matmul(args);
  },
};

/** True when this engine can run the WASM backend (WebAssembly with fixed-width SIMD). */
export function wasmAvailable(): boolean {
  return wasmSimdSupported();
}
