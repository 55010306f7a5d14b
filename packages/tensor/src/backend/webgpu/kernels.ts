import type { Backend } from '../backend.js';
import type { DeviceMemory } from '../memory.js';

/** The WebGPU backend's table without its name and memory functions. */
export type GPUKernels = Required<
  Omit<Backend<DeviceMemory>, 'name' | 'memory' | 'dtypes' | 'alloc' | 'upload' | 'readAsync' | 'packLinear'>
>;
