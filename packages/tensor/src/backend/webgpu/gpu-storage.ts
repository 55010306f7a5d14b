/// <reference types="@webgpu/types" />
import type { DType } from '../../dtype.js';
import { DeviceMemoryError } from '../../errors.js';
import type { DeviceStorage } from '../memory.js';

/** WGSL element type of each dtype on the GPU: bool is widened to one u32 per element. */
export const WGSL_TYPE = { float32: 'f32', int32: 'i32', bool: 'u32' } as const;

/** Dtypes the WebGPU backend stores (WGSL has no 64-bit floats). */
export type GPUDType = keyof typeof WGSL_TYPE;

/** True when the WebGPU backend can hold `dtype`. */
export function isGPUDType(dtype: DType): dtype is GPUDType {
  return dtype in WGSL_TYPE;
}

/**
 * Elements of a tensor in a GPU buffer: 4 bytes per element (f32, i32, or u32 for bool), from
 * byte 0. The buffer may be larger than `length` elements (buffers are pooled by size class); it
 * goes back to the pool when this handle is garbage-collected.
 */
export class GPUStorage implements DeviceStorage {
  readonly backend = 'webgpu';
  constructor(
    readonly dtype: GPUDType,
    readonly length: number,
    readonly buffer: GPUBuffer,
  ) {}

  /** Bytes a binding of these elements covers (at least 4: WebGPU refuses empty bindings). */
  get byteLength(): number {
    return Math.max(4, this.length * 4);
  }
}

/**
 * `storage` as this backend's GPU storage.
 * @throws DeviceMemoryError when it belongs to another backend (a kernel got foreign memory).
 */
export function gpuStorage(storage: DeviceStorage, kernel: string): GPUStorage {
  if (storage instanceof GPUStorage) return storage;
  throw new DeviceMemoryError(
    `webgpu ${kernel}: storage of backend '${storage.backend}' is not a GPU buffer of this backend`,
  );
}
