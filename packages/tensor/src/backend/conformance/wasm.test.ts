import { describe, expect, it } from 'vitest';
import { randomF32 } from '../../testing/conformance/helpers.js';
import {
  applyPacked,
  DTYPES,
  inputs,
  rounded,
  SHAPES,
  unpacked,
} from '../../testing/conformance/packed-linear.js';
import { describeBackendConformance } from '../../testing/index.js';
import type { FusedHostBackend } from '../fused-kernels.js';
import { listBackends } from '../registry.js';
import { wasmBackend } from '../wasm/index.js';
import { getRuntime } from '../wasm/runtime.js';

/** The conformance suite on the wasm backend, and what is particular to its build and memory. */
await describeBackendConformance('wasm', () => wasmBackend);

/**
 * The same kernels on arrays of the JS heap (a user's arrays, storage allocated under another
 * backend): every operand goes through the arena, copied in and out.
 */
const heapArrays: FusedHostBackend = {
  ...wasmBackend,
  alloc: (dtype, length) =>
    new ({ float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array })[dtype](
      length,
    ),
  upload: (values) => values,
};
await describeBackendConformance('wasm on JS-heap arrays', () => heapArrays);

describe('wasm backend build and memory', () => {
  it('registers the wasm backend where WebAssembly SIMD exists (Node 20+), over a shared memory', () => {
    expect(listBackends()).toContain('wasm');
    expect(getRuntime()?.shared).toBe(true); // Node has SharedArrayBuffer: tensors live in the memory
  });

  it('uses the relaxed-SIMD (fused multiply-add) build when the engine enables relaxed SIMD', () => {
    // `pnpm test` runs this file a second time with the V8 flag that enables it on Node 20.
    const argv = (globalThis as { process?: { execArgv?: string[] } }).process?.execArgv ?? [];
    const relaxed = getRuntime()?.compiled.relaxed;
    if (argv.includes('--experimental-wasm-relaxed-simd')) expect(relaxed).toBe(true);
    else expect(typeof relaxed).toBe('boolean');
  });

  it('packLinear equals its own unpacked matmul and add exactly (the same sums in the same order)', () => {
    for (const [m, n, k] of SHAPES) {
      for (const dtype of DTYPES) {
        const { weight, bias, x } = inputs(m, n, k, 7 * m + k);
        const want = unpacked(wasmBackend, x, rounded(weight, dtype, k), bias, m, n, k);
        expect(
          applyPacked(wasmBackend, weight, bias, x, m, n, k, dtype),
          `[${m}, ${n}, ${k}] ${dtype}`,
        ).toEqual(want);
      }
    }
  });

  it('packLinear.release frees the kernel memory', () => {
    const rt = getRuntime()!;
    const before = rt.blocks.liveBytes;
    const { weight } = inputs(1, 64, 32, 3);
    const packed = wasmBackend.packLinear({ weight, bias: null, n: 64, k: 32, dtype: 'bfloat16' });
    expect(rt.blocks.liveBytes).toBeGreaterThan(before);
    packed.release();
    packed.release();
    expect(rt.blocks.liveBytes).toBe(before);
  });

  it('keeps packed weights intact while other products grow the memory around them', () => {
    const [n, k] = [40, 70];
    const { weight, bias, x } = inputs(2, n, k, 11);
    const packed = wasmBackend.packLinear({ weight, bias, n, k, dtype: 'float16' });
    const first = new Float32Array(2 * n);
    packed.apply(x, 2, first);
    // a product far larger than anything so far: the arena moves to a larger block, the memory grows
    const big = 1200;
    unpacked(wasmBackend, randomF32(big * big, 12), randomF32(big * big, 13), null, big, big, big);
    const again = new Float32Array(2 * n);
    packed.apply(x, 2, again);
    expect(again).toEqual(first);
    packed.release();
  });
});
