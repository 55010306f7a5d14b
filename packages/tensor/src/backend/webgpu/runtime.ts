/// <reference types="@webgpu/types" />
import type { DType, TypedArray } from '../../dtype.js';
import { DTypeError } from '../../errors.js';
import { GPUStorage, isGPUDType } from './gpu-storage.js';

/** A scalar of a kernel's uniform block: its WGSL type and value (every field is 4 bytes). */
export type Uniform = readonly ['u32' | 'i32' | 'f32', number];

/** One compute dispatch: WGSL source, its storage buffers and uniforms, and the grid. */
export interface Dispatch {
  /**
   * WGSL with entry point `main`. Storage buffers are `@group(0) @binding(i)` in the order of
   * `storages`; the uniforms, when any, are one struct at the next binding. Every declared binding
   * must be used by the shader (pipelines use the automatic layout).
   */
  code: string;
  storages: readonly GPUStorage[];
  uniforms?: readonly Uniform[];
  /** Workgroups along x, y, z (see {@link WebGPURuntime.grid} for one-dimensional work). */
  workgroups: readonly [number, number, number];
}

/** Most workgroups along one dimension of a dispatch (WebGPU's guaranteed limit). */
const MAX_GROUPS_PER_DIM = 65535;
/** Smallest pooled buffer, in bytes. */
const MIN_BUFFER_BYTES = 256;

/**
 * WGSL for the flat index of an invocation in a {@link WebGPURuntime.grid} dispatch of workgroups of
 * `size` threads: `let i = flatIndex(gid, groups);` with `gid` the global invocation id and `groups`
 * the `num_workgroups` builtin.
 */
export function flatIndexWGSL(size: number): string {
  return `fn flatIndex(gid: vec3u, groups: vec3u) -> u32 { return gid.x + gid.y * groups.x * ${size}u; }`;
}

/**
 * One GPU device as the WebGPU backend uses it: pooled storage buffers, cached pipelines, uploads,
 * asynchronous reads, and dispatches submitted in order (so the queue orders every write, kernel and
 * read). Validation errors the device reports are raised by the next {@link WebGPURuntime.readAsync}.
 */
export class WebGPURuntime {
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  /** Free storage buffers by size in bytes (a power of two). */
  readonly #free = new Map<number, GPUBuffer[]>();
  readonly #reclaim = new FinalizationRegistry<GPUBuffer>((buffer) => this.#release(buffer));
  #error: Error | null = null;
  /** Bytes held in live and pooled storage buffers. */
  bytesAllocated = 0;

  /**
   * @param device the device every kernel runs on
   * @param owners the entry point and adapter it came from, kept reachable: Dawn in Node tears its
   * instance down when the garbage collector takes them, crashing work still queued on the device
   */
  constructor(
    readonly device: GPUDevice,
    readonly owners: readonly unknown[] = [],
  ) {
    device.addEventListener('uncapturederror', (event) => {
      const { error } = event as GPUUncapturedErrorEvent;
      this.#error ??= new Error(`webgpu: ${error.message}`);
    });
  }

  /** Zeroed storage for `length` elements of `dtype`. @throws DTypeError for float64. */
  alloc(dtype: DType, length: number): GPUStorage {
    if (!isGPUDType(dtype))
      throw new DTypeError(`webgpu: ${dtype} is not supported on the GPU (float32, int32 and bool are)`);
    const bytes = Math.max(MIN_BUFFER_BYTES, 2 ** Math.ceil(Math.log2(Math.max(4, length * 4))));
    let buffer = this.#free.get(bytes)?.pop();
    if (buffer) {
      const encoder = this.device.createCommandEncoder();
      encoder.clearBuffer(buffer);
      this.device.queue.submit([encoder.finish()]);
    } else {
      buffer = this.device.createBuffer({
        size: bytes,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      this.bytesAllocated += bytes;
    }
    const storage = new GPUStorage(dtype, length, buffer);
    this.#reclaim.register(storage, buffer);
    return storage;
  }

  /** Storage holding a copy of `values` (bool widened to u32). @throws DTypeError for float64. */
  upload(values: TypedArray): GPUStorage {
    const dtype: DType =
      values instanceof Float32Array
        ? 'float32'
        : values instanceof Int32Array
          ? 'int32'
          : values instanceof Uint8Array
            ? 'bool'
            : 'float64';
    const storage = this.alloc(dtype, values.length);
    if (values.length === 0) return storage;
    // Dawn's writeBuffer takes no SharedArrayBuffer: arrays in the WASM backend's shared memory go by a copy.
    const words =
      values instanceof Uint8Array
        ? Uint32Array.from(values)
        : values.buffer instanceof ArrayBuffer
          ? values
          : values.slice();
    this.device.queue.writeBuffer(storage.buffer, 0, words.buffer, words.byteOffset, words.length * 4);
    return storage;
  }

  /** The elements of `storage` once every queued kernel has run (bool narrowed back to bytes). */
  async readAsync(storage: GPUStorage): Promise<TypedArray> {
    const bytes = storage.length * 4;
    let words = new ArrayBuffer(bytes);
    if (bytes > 0) {
      const staging = this.device.createBuffer({
        size: bytes,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      const encoder = this.device.createCommandEncoder();
      encoder.copyBufferToBuffer(storage.buffer, 0, staging, 0, bytes);
      this.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      words = staging.getMappedRange().slice(0);
      staging.unmap();
      staging.destroy();
    }
    this.#throwPendingError();
    if (storage.dtype === 'float32') return new Float32Array(words);
    if (storage.dtype === 'int32') return new Int32Array(words);
    return Uint8Array.from(new Uint32Array(words));
  }

  /** Resolves once every kernel submitted so far has run (for timing; reads wait on their own). */
  async finish(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.#throwPendingError();
  }

  /** Workgroups covering `count` invocations of `size` threads, wrapped into y past 65,535 along x. */
  grid(count: number, size: number): [number, number, number] {
    const groups = Math.max(1, Math.ceil(count / size));
    if (groups <= MAX_GROUPS_PER_DIM) return [groups, 1, 1];
    return [MAX_GROUPS_PER_DIM, Math.ceil(groups / MAX_GROUPS_PER_DIM), 1];
  }

  /** Records and submits one compute dispatch. */
  run({ code, storages, uniforms = [], workgroups }: Dispatch): void {
    const pipeline = this.#pipeline(code);
    const entries: GPUBindGroupEntry[] = storages.map((s, binding) => ({
      binding,
      resource: { buffer: s.buffer, size: s.byteLength },
    }));
    let uniformBuffer: GPUBuffer | null = null;
    if (uniforms.length > 0) {
      const block = new ArrayBuffer(Math.ceil((uniforms.length * 4) / 16) * 16);
      const view = new DataView(block);
      uniforms.forEach(([type, value], i) => {
        if (type === 'f32') view.setFloat32(i * 4, value, true);
        else if (type === 'i32') view.setInt32(i * 4, value, true);
        else view.setUint32(i * 4, value, true);
      });
      uniformBuffer = this.device.createBuffer({
        size: block.byteLength,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      this.device.queue.writeBuffer(uniformBuffer, 0, block);
      entries.push({ binding: storages.length, resource: { buffer: uniformBuffer } });
    }
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(...workgroups);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    uniformBuffer?.destroy();
  }

  /** Raises, once, the first validation error the device reported since the last check. */
  #throwPendingError(): void {
    const error = this.#error;
    this.#error = null;
    if (error) throw error;
  }

  #pipeline(code: string): GPUComputePipeline {
    let pipeline = this.#pipelines.get(code);
    if (!pipeline) {
      const module = this.device.createShaderModule({ code });
      pipeline = this.device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
      });
      this.#pipelines.set(code, pipeline);
    }
    return pipeline;
  }

  #release(buffer: GPUBuffer): void {
    const list = this.#free.get(buffer.size) ?? [];
    list.push(buffer);
    this.#free.set(buffer.size, list);
  }
}
