import type { TypedArray } from '../../dtype.js';
import { requestNodeGPU } from '../../node/index.js';
import { describeMismatch, firstMismatch } from '../../testing/conformance/helpers.js';
import type { GPUStorage } from './gpu-storage.js';
import { WebGPURuntime } from './runtime.js';

/**
 * Test support of the `*.gpu.test.ts` files of the row and window kernels: a runtime on the
 * machine's adapter, host arguments uploaded as they are, and comparisons with the JS reference.
 */

/**
 * Dawn's entry points in use. Dawn's instance must outlive its devices: a device does not keep it
 * alive, and processing a device's events after the instance was garbage-collected crashes the process.
 */
const entryPoints: GPU[] = [];

/**
 * A runtime on the machine's WebGPU adapter (lavapipe on a CPU-only machine), or null, with a
 * printed notice, where Node has none (the caller's tests then skip).
 */
export async function requestTestRuntime(what: string): Promise<WebGPURuntime | null> {
  const gpu = (await requestNodeGPU()) as GPU | null;
  if (gpu) entryPoints.push(gpu);
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) {
    console.warn(`webgpu: no adapter here, so the ${what} tests are skipped`);
    return null;
  }
  return new WebGPURuntime(await adapter.requestDevice());
}

/** `V` with its typed arrays replaced by GPU storage (distributes over unions such as `Float32Array | null`). */
type Uploaded<V> = V extends TypedArray ? GPUStorage : V;

/** `T` with every typed-array field (nullable or not) replaced by GPU storage. */
export type OnDevice<T> = { [K in keyof T]: Uploaded<T[K]> };

/** `args` with every typed-array field uploaded (a copy taken now: later host writes do not reach it). */
export function toDevice<T extends object>(rt: WebGPURuntime, args: T): OnDevice<T> {
  const entries = Object.entries(args).map(([key, value]) => [
    key,
    ArrayBuffer.isView(value) ? rt.upload(value as TypedArray) : value,
  ]);
  return Object.fromEntries(entries) as OnDevice<T>;
}

/**
 * Throws unless `actual` (read back from the GPU) matches `expected` within `atol + rtol·|expected|`
 * everywhere (NaN where NaN, infinities exactly); the message names `what` and the first mismatch.
 */
export async function expectClose(
  rt: WebGPURuntime,
  actual: GPUStorage,
  expected: ArrayLike<number>,
  what: string,
  tol: { rtol: number; atol: number } = { rtol: 0, atol: 0 },
): Promise<void> {
  const got = await rt.readAsync(actual);
  const i = firstMismatch(got, expected, tol.rtol, tol.atol);
  if (i >= 0) throw new Error(`${what}: ${describeMismatch(i, got, expected)}`);
}
