/// <reference types="@webgpu/types" />
import type { Backend } from '../backend.js';
import type { DeviceMemory } from '../memory.js';
import { copyIntoKernels } from './copy-into.js';
import { elementwiseKernels } from './elementwise.js';
import { gatherKernels } from './gather.js';
import { gpuStorage } from './gpu-storage.js';
import { indexingKernels } from './indexing.js';
import { matmulKernels } from './matmul.js';
import { rowKernels } from './rows.js';
import { WebGPURuntime } from './runtime.js';

/** Where {@link createWebGPUBackend} finds a GPU: `navigator.gpu` in browsers, Dawn's `create()` in Node. */
export interface WebGPUOptions {
  /**
   * The WebGPU entry point (an object with `requestAdapter`), e.g. `navigator.gpu`, or in Node
   * `create([])` from the `webgpu` package (see `requestNodeGPU` in `@proj/tensor/node`).
   * Defaults to `navigator.gpu`.
   */
  gpu?: unknown;
  /** Adapter preference passed to `requestAdapter`. */
  powerPreference?: 'low-power' | 'high-performance';
}

/** A backend whose tensors live in GPU memory; what {@link createWebGPUBackend} resolves with. */
export interface WebGPUBackend extends Backend<DeviceMemory> {
  /** The adapter's description (vendor, architecture, device), for logs and benchmark tables. */
  readonly adapterName: string;
  /** Bytes of GPU memory held in tensors and the buffer pool. */
  bytesAllocated(): number;
  /** Resolves once every kernel queued so far has run (to time GPU work; reads wait on their own). */
  finish(): Promise<void>;
}

/**
 * Requests a GPU and builds the WebGPU backend on it: tensors live in GPU buffers, kernels are WGSL
 * compute shaders, the CPU reads results with `await t.dataAsync()`. Register it with
 * `registerBackend(backend)` and select it with `setBackend('webgpu')`.
 * @throws Error when no WebGPU entry point or no adapter is found (the message says which).
 * @example
 * const backend = await createWebGPUBackend(); // navigator.gpu in a browser
 * registerBackend(backend);
 * setBackend('webgpu');
 */
export async function createWebGPUBackend(options: WebGPUOptions = {}): Promise<WebGPUBackend> {
  const gpu = (options.gpu ?? (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) as
    | GPU
    | undefined;
  if (!gpu || typeof gpu.requestAdapter !== 'function')
    throw new Error(
      'createWebGPUBackend: no WebGPU here (navigator.gpu is missing; in Node pass { gpu } from requestNodeGPU())',
    );
  const adapter = await gpu.requestAdapter(
    options.powerPreference ? { powerPreference: options.powerPreference } : undefined,
  );
  if (!adapter)
    throw new Error(
      'createWebGPUBackend: the WebGPU entry point found no adapter (no GPU driver; on Linux without a GPU, Mesa 24+ lavapipe from mesa-vulkan-drivers provides a software one)',
    );
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  const rt = new WebGPURuntime(device, [gpu, adapter]);
  const info = adapter.info;
  return {
    name: 'webgpu',
    adapterName: [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '),
    bytesAllocated: () => rt.bytesAllocated,
    finish: () => rt.finish(),
    memory: 'device',
    dtypes: ['float32', 'int32', 'bool'],
    alloc: (dtype, length) => rt.alloc(dtype, length),
    upload: (values) => rt.upload(values),
    readAsync: (storage) => rt.readAsync(gpuStorage(storage, 'readAsync')),
    ...elementwiseKernels(rt),
    ...matmulKernels(rt),
    ...rowKernels(rt),
    ...indexingKernels(rt),
    ...gatherKernels(rt),
    ...copyIntoKernels(rt),
  };
}
