import { DTypeError, ShapeError } from '../../errors.js';
import type { DeviceStorage } from '../memory.js';
import { type GPUDType, type GPUStorage, gpuStorage, WGSL_TYPE } from './gpu-storage.js';
import { flatIndexWGSL, type Uniform, type WebGPURuntime } from './runtime.js';

/**
 * What the norm, loss, activation-gradient, optimizer and window kernels share: their storage
 * arguments checked and declared, their uniforms as one `params` struct, WGSL's missing NaN and
 * infinity constants, and workgroup reductions over a row.
 */

/** Threads of a workgroup (WebGPU's guaranteed `maxComputeInvocationsPerWorkgroup`). */
export const WORKGROUP = 256;

/** A storage buffer a shader binds: its WGSL name, the storage, and whether the shader writes it. */
export interface ShaderBuffer {
  name: string;
  storage: GPUStorage;
  write: boolean;
}

/** One dispatch of a kernel written as declarations generated from its buffers and uniforms, then `body`. */
export interface Shader {
  /** Bound in this order, `@group(0) @binding(i)`; each one declared as `var<storage> name: array<T>`. */
  buffers: readonly ShaderBuffer[];
  /** Fields of the uniform struct, read in WGSL as `params.<name>` (omit when there are none). */
  params?: Record<string, Uniform>;
  /** Helper functions and `main`; the text must depend only on the kernel's variant, never on values. */
  body: string;
  workgroups: readonly [number, number, number];
}

/** Declares the bindings of `shader`, appends its body and dispatches it. */
export function runShader(rt: WebGPURuntime, shader: Shader): void {
  const fields = Object.entries(shader.params ?? {});
  const lines = shader.buffers.map(
    ({ name, storage, write }, binding) =>
      `@group(0) @binding(${binding}) var<storage, ${write ? 'read_write' : 'read'}> ${name}: array<${WGSL_TYPE[storage.dtype]}>;`,
  );
  if (fields.length > 0)
    lines.push(
      `struct Params { ${fields.map(([name, [type]]) => `${name}: ${type}`).join(', ')} }`,
      `@group(0) @binding(${shader.buffers.length}) var<uniform> params: Params;`,
    );
  lines.push(shader.body);
  rt.run({
    code: lines.join('\n'),
    storages: shader.buffers.map((b) => b.storage),
    uniforms: fields.map(([, value]) => value),
    workgroups: shader.workgroups,
  });
}

/**
 * Argument `name` of `kernel` as a buffer to bind under that name, checked to be GPU storage of
 * `dtype` holding at least `length` elements.
 * @throws DeviceMemoryError for another backend's storage, DTypeError for a wrong dtype, ShapeError
 * for too few elements.
 */
export function bindArg(
  kernel: string,
  name: string,
  storage: DeviceStorage,
  dtype: GPUDType,
  length: number,
  write = false,
): ShaderBuffer {
  const gpu = gpuStorage(storage, kernel);
  if (gpu.dtype !== dtype)
    throw new DTypeError(`webgpu ${kernel}: ${name} is ${gpu.dtype}, expected ${dtype}`);
  if (gpu.length < length)
    throw new ShapeError(`webgpu ${kernel}: ${name} holds ${gpu.length} elements, needs ${length}`);
  return { name, storage: gpu, write };
}

/** The buffers of `candidates` that are present (optional arguments bind only when given). */
export function present(...candidates: (ShaderBuffer | null)[]): ShaderBuffer[] {
  return candidates.filter((b): b is ShaderBuffer => b !== null);
}

/**
 * WGSL functions `nan()`, `infinity()` and `isNan(v)`. WGSL has no NaN or infinity literal (a constant
 * NaN is a shader-creation error), and compilers may fold `v != v` to false, so both go through bits.
 */
export const SPECIAL_FLOATS_WGSL = `
fn nan() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn infinity() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }`;

/**
 * WGSL `fn <name>(value: <type>, lid: u32) -> <type>`: the reduction of every thread's `value` over
 * a workgroup of {@link WORKGROUP} threads (a tree in workgroup memory), returned to all of them.
 * `combine(a, b)` is a WGSL expression. Call it from uniform control flow (it holds barriers).
 */
export function workgroupReduceWGSL(
  name: string,
  type: string,
  combine: (a: string, b: string) => string,
): string {
  return `
var<workgroup> ${name}Scratch: array<${type}, ${WORKGROUP}>;
fn ${name}(value: ${type}, lid: u32) -> ${type} {
  ${name}Scratch[lid] = value;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      ${name}Scratch[lid] = ${combine(`${name}Scratch[lid]`, `${name}Scratch[lid + stride]`)};
    }
    workgroupBarrier();
  }
  let result = ${name}Scratch[0];
  workgroupBarrier(); // every thread has read the result before the scratch is written again
  return result;
}`;
}

/**
 * WGSL `main` of a one-dimensional kernel: `body` runs once for each index `i < params.<count>` of a
 * dispatch of `rt.grid(count, WORKGROUP)` workgroups.
 */
export function perElementMainWGSL(count: string, body: string): string {
  return `${flatIndexWGSL(WORKGROUP)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flatIndex(gid, groups);
  if (i >= params.${count}) { return; }
${body}
}`;
}

/**
 * WGSL `main` of a kernel with a workgroup per row: `body` runs with `row < params.rows` and the
 * thread's `lid` in a dispatch of `rt.grid(rows, 1)` workgroups.
 */
export function perRowMainWGSL(body: string): string {
  return `${flatIndexWGSL(1)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = flatIndex(wid, groups);
  if (row >= params.rows) { return; }
${body}
}`;
}
