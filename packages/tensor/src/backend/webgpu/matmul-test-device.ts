import { requestNodeGPU } from '../../node/index.js';
import { matmulKernels } from './matmul.js';
import { WebGPURuntime } from './runtime.js';

/** The matmul, softmax and attention kernels on a device of their own, for the `*.gpu.test.ts` files. */
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
 * A fresh device on Dawn's default adapter with the kernels of this module, or null (and a printed
 * notice) where there is no adapter, so the GPU tests skip only there.
 */
export async function matmulTestDevice(what: string): Promise<MatmulTestDevice | null> {
  const gpu = (await requestNodeGPU()) as GPU | null;
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
