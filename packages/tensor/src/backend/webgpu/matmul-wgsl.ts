import { DTypeError } from '../../errors.js';
import type { DeviceStorage } from '../memory.js';
import { type GPUStorage, gpuStorage } from './gpu-storage.js';
import type { Uniform, WebGPURuntime } from './runtime.js';

/**
 * What the matmul, softmax and attention kernels share: declaring bindings and uniforms, and WGSL
 * helpers for IEEE special values.
 *
 * The kernels let IEEE arithmetic carry NaN and infinities as the reference's arithmetic does
 * (`exp(∞ − ∞)`, `0/0`). Tests for them read the bits: GPU compilers may fold `x != x` to false
 * and `x − x` to 0 (lavapipe does), and WGSL constants may not be infinite.
 */

/** One storage buffer of a dispatch: its WGSL name and element type, and whether the kernel writes it. */
export interface KernelBinding {
  name: string;
  storage: GPUStorage;
  type: 'f32' | 'i32' | 'u32';
  write?: boolean;
}

/** A dispatch described by its parts; see {@link launch}. */
export interface KernelLaunch {
  /** The backend kernel's name, for error messages. */
  kernel: string;
  /** Storage buffers, declared `@group(0) @binding(i)` in this order. */
  bindings: readonly KernelBinding[];
  /** Uniforms, declared as the fields of `p` (one struct after the storage buffers), in key order. */
  params: Readonly<Record<string, Uniform>>;
  /** WGSL after the declarations: constants, workgroup memory and `fn main`. */
  body: string;
  workgroups: readonly [number, number, number];
}

/** WGSL functions for special float values, built from bits at run time. */
const SPECIALS_WGSL = `
fn negInf() -> f32 { let bits = 0xff800000u; return bitcast<f32>(bits); }
fn nan() -> f32 { let bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn isFinite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }`;

/**
 * WGSL opening the entry point for `size` threads a workgroup, one workgroup per item of a
 * `rt.grid(count, 1)` dispatch (which wraps into y past 65,535 workgroups): `w` is the item and
 * `lidx` the thread's index in the workgroup.
 */
export function mainWGSL(size: number): string {
  return `@compute @workgroup_size(${size})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lidx: u32) {
  let w = wid.x + wid.y * groups.x;`;
}

/**
 * Records one dispatch: declares the bindings and a uniform struct `p`, appends the special-value
 * helpers and `body`, and runs it. The WGSL text depends only on names, types and `body`, so each
 * variant compiles once.
 * @throws Error when a written buffer is also bound under another name (WebGPU forbids it; a kernel
 * whose contract allows aliasing binds the buffer once).
 */
export function launch(
  rt: WebGPURuntime,
  { kernel, bindings, params, body, workgroups }: KernelLaunch,
): void {
  for (const written of bindings)
    for (const other of bindings)
      if (written.write && other !== written && other.storage.buffer === written.storage.buffer)
        throw new Error(
          `webgpu ${kernel}: '${written.name}' is written and must not share its buffer with '${other.name}'`,
        );
  const declarations = bindings.map(
    (b, i) =>
      `@group(0) @binding(${i}) var<storage, ${b.write ? 'read_write' : 'read'}> ${b.name}: array<${b.type}>;`,
  );
  const names = Object.keys(params);
  if (names.length > 0)
    declarations.push(
      `struct Params { ${names.map((name) => `${name}: ${params[name]![0]}`).join(', ')} }`,
      `@group(0) @binding(${bindings.length}) var<uniform> p: Params;`,
    );
  rt.run({
    code: [...declarations, SPECIALS_WGSL, body].join('\n'),
    storages: bindings.map((b) => b.storage),
    uniforms: names.map((name) => params[name]!),
    workgroups,
  });
}

/**
 * `storage` as this backend's float32 GPU storage.
 * @throws DTypeError when it holds another dtype; DeviceMemoryError when it is not this backend's.
 */
export function floatStorage(storage: DeviceStorage, kernel: string, name: string): GPUStorage {
  const gpu = gpuStorage(storage, kernel);
  if (gpu.dtype !== 'float32')
    throw new DTypeError(`webgpu ${kernel}: ${name} must be float32, got ${gpu.dtype}`);
  return gpu;
}

/** `n` lines of WGSL from `line(j)` for j = 0 … n−1 (unrolled per-thread registers). */
export function unrolled(n: number, line: (j: number) => string): string {
  return Array.from({ length: n }, (_, j) => line(j)).join('\n');
}
