import type { TypedArray } from '../../dtype.js';
import { describeMismatch, firstMismatch } from '../../testing/conformance/helpers.js';
import type { GPUStorage } from './gpu-storage.js';
import type { WebGPURuntime } from './runtime.js';

/**
 * Test support of the `*.gpu.test.ts` files of the row and window kernels: a runtime on the
 * machine's adapter, host arguments uploaded as they are, and comparisons with the JS reference.
 */

/** Row lengths every row-kernel test covers: odd lengths, and rows longer than a workgroup (256). */
export const ROW_SHAPES: readonly [rows: number, cols: number][] = [
  [1, 1],
  [3, 3],
  [2, 17],
  [5, 65],
  [4, 257],
  [3, 1000],
];

/** Absolute and relative tolerance of a comparison (`atol + rtol·|expected|`). */
export interface Tolerance {
  rtol: number;
  atol: number;
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
  tol: Tolerance = { rtol: 0, atol: 0 },
): Promise<void> {
  const got = await rt.readAsync(actual);
  const i = firstMismatch(got, expected, tol.rtol, tol.atol);
  if (i >= 0) throw new Error(`${what}: ${describeMismatch(i, got, expected)}`);
}

/**
 * Runs a kernel on the JS reference with `args` and on the GPU with an upload of them, then compares
 * each of `outputs` (a null output is skipped). Resolves with the GPU's arguments.
 */
export async function compareWithReference<A extends object>(
  rt: WebGPURuntime,
  kernel: { reference: (args: NoInfer<A>) => void; gpu: (args: OnDevice<NoInfer<A>>) => void },
  args: A,
  outputs: readonly (keyof A & string)[],
  what: string,
  tol?: Tolerance,
): Promise<OnDevice<A>> {
  const gpu = toDevice(rt, args);
  kernel.gpu(gpu);
  kernel.reference(args);
  for (const name of outputs) {
    const [actual, expected] = [gpu[name], args[name]];
    if (actual !== null)
      await expectClose(rt, actual as GPUStorage, expected as ArrayLike<number>, `${what} ${name}`, tol);
  }
  return gpu;
}
