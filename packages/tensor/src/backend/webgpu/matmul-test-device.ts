import { randomF32 } from '../../testing/conformance/helpers.js';
import type { MatrixBatch } from '../backend.js';
import { matmulKernels } from './matmul.js';
import { WebGPURuntime } from './runtime.js';

/** The matmul, softmax and attention kernels on a device of their own, for their `*.gpu.test.ts` files. */
export interface MatmulTestDevice {
  /**
   * Dawn's entry point: Dawn runs only while this object is reachable, so it is kept here for as
   * long as the device is used (collecting it crashes or hangs the process).
   */
  gpu: GPU;
  device: GPUDevice;
  rt: WebGPURuntime;
  kernels: ReturnType<typeof matmulKernels>;
  /** A copy of `values` in GPU memory. */
  upload(values: Float32Array | Int32Array): ReturnType<WebGPURuntime['upload']>;
  /** The float32 elements of `storage`, once the queued kernels have run. */
  read(storage: ReturnType<WebGPURuntime['upload']>): Promise<Float32Array>;
}

/**
 * A fresh device on the default adapter of `entry` (in Node, `await requestNodeGPU()`) with the
 * kernels of this module, or null (and a printed notice) where there is no adapter, so the GPU
 * tests skip only there.
 */
export async function matmulTestDevice(entry: unknown, what: string): Promise<MatmulTestDevice | null> {
  const gpu = entry as GPU | null;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) {
    console.warn(`webgpu: no adapter here, so the WebGPU ${what} tests are skipped`);
    return null;
  }
  const device = await adapter.requestDevice();
  const rt = new WebGPURuntime(device);
  return {
    gpu: gpu!,
    device,
    rt,
    kernels: matmulKernels(rt),
    upload: (values) => rt.upload(values),
    read: async (storage) => (await rt.readAsync(storage)) as Float32Array,
  };
}

/** How {@link randomMatrices} stores each matrix. */
export type MatrixLayout = 'rowMajor' | 'transposed' | 'spread';

/** Options of {@link randomMatrices}. */
export interface MatrixOptions {
  /** Row-major, transposed (column-major), or spread: row-major with every third element used. */
  layout?: MatrixLayout;
  /** One stored matrix read by every batch entry. */
  broadcast?: boolean;
  /** Elements before the first matrix. */
  pad?: number;
  /** Elements between consecutive matrices. */
  gap?: number;
  lo?: number;
  hi?: number;
}

/** `count` seeded random `[rows, cols]` matrices in host memory, read in place through a {@link MatrixBatch}. */
export function randomMatrices(
  count: number,
  rows: number,
  cols: number,
  seed: number,
  options: MatrixOptions = {},
): MatrixBatch & { data: Float32Array } {
  const { layout = 'rowMajor', broadcast = false, pad = 0, gap = 0, lo = -1, hi = 1 } = options;
  const step = layout === 'spread' ? 3 : 1;
  const size = rows * cols * step + gap;
  const data = randomF32(pad + (broadcast ? 1 : count) * size, seed, lo, hi);
  const offsets = Int32Array.from({ length: count }, (_, b) => pad + (broadcast ? 0 : b) * size);
  const [rowStride, colStride] = layout === 'transposed' ? [1, rows] : [cols * step, step];
  return { data, offsets, rowStride, colStride };
}
