import { ShapeError } from '../../errors.js';
import { contiguousStrides, shapeSize } from '../../shape.js';
import type { StridedView } from '../backend.js';
import { coalesce } from '../js/strided.js';
import type { DeviceMemory } from '../memory.js';
import { linkWgsl, OPAQUE, OPAQUE_INIT } from './elementwise-library.js';
import { type Expr, SCALAR_OF } from './elementwise-ops.js';
import { type GPUStorage, gpuStorage } from './gpu-storage.js';
import { flatIndexWGSL, type Uniform, type WebGPURuntime } from './runtime.js';

/**
 * The one shader shape behind unary, binary, copy and where: `out[i] = f(inputs at i)` over a shape,
 * `out` contiguous, each input read through a strided view (broadcast = stride 0, transposed,
 * offset). Axes that every view walks contiguously are merged first (as the JS kernels do), so the
 * usual cases index with one multiply-add; the rest unravel i by the merged dims, which are uniforms,
 * so a shader serves every shape of its rank. One invocation per element.
 */

const WORKGROUP_SIZE = 256;
const WGSL_ELEMENT = { float32: 'f32', int32: 'i32', bool: 'u32' } as const;

/** A strided operand in GPU memory (a {@link StridedView} with its storage narrowed). */
export interface GPUView {
  readonly storage: GPUStorage;
  readonly offset: number;
  readonly strides: readonly number[];
}

/** `view` with its storage narrowed to this backend's. @throws DeviceMemoryError for foreign storage. */
export function gpuView(view: StridedView<DeviceMemory>, kernel: string): GPUView {
  return { storage: gpuStorage(view.data, kernel), offset: view.offset, strides: view.strides };
}

/** A contiguous view of a whole storage of `length` elements. */
export function wholeView(storage: GPUStorage): GPUView {
  return { storage, offset: 0, strides: [1] };
}

/** Throws when a view reads outside its storage over the merged `dims`. */
function checkBounds(kernel: string, name: string, view: GPUView, dims: number[], strides: number[]): void {
  let low = view.offset;
  let high = view.offset;
  dims.forEach((d, k) => {
    const span = strides[k]! * (d - 1);
    if (span < 0) low += span;
    else high += span;
  });
  if (low < 0 || high >= view.storage.length)
    throw new ShapeError(
      `webgpu ${kernel}: ${name} (offset ${view.offset}, strides [${view.strides.join(', ')}]) reads elements ${low}..${high} of a storage of ${view.storage.length}`,
    );
}

/** Storage bindings: `out` first (read_write), then each other storage once (read). */
function bindStorages(
  out: GPUStorage,
  inputs: readonly GPUView[],
): { storages: GPUStorage[]; names: string[] } {
  const storages = [out];
  const names = inputs.map((view) => {
    let b = storages.findIndex((s) => s.buffer === view.storage.buffer);
    if (b < 0) b = storages.push(view.storage) - 1;
    return b === 0 ? 'out' : `buf${b}`;
  });
  return { storages, names };
}

/**
 * Runs `out[i] = body(values)(i)` over `shape` (`out` contiguous), `values[v]` the element of
 * `inputs[v]` at i (named by `names` in errors).
 * @throws ShapeError when `out` is shorter than the shape or a view reads outside its storage.
 */
export function runMap(
  rt: WebGPURuntime,
  kernel: string,
  inputs: readonly GPUView[],
  names: readonly string[],
  out: GPUStorage,
  shape: readonly number[],
  body: (values: Expr[]) => Expr,
): void {
  const size = shapeSize(shape);
  if (out.length < size)
    throw new ShapeError(
      `webgpu ${kernel}: out has ${out.length} elements, shape [${shape.join(', ')}] needs ${size}`,
    );
  if (size === 0) return;
  const [dims, strides] = coalesce(shape, [...inputs.map((v) => v.strides), contiguousStrides(shape)]);
  inputs.forEach((view, v) => checkBounds(kernel, names[v]!, view, dims, strides[v]!));
  const rank = dims.length;
  const contiguous = inputs.map((_, v) => strides[v]!.every((s, k) => s === contiguousStrides(dims)[k]));
  const unravel = contiguous.some((c) => !c) && rank > 1;

  const fields: string[] = ['n: u32', 'one: f32'];
  const uniforms: Uniform[] = [
    ['u32', size],
    ['f32', 1],
  ];
  if (unravel)
    for (let k = 1; k < rank; k++) {
      fields.push(`d${k}: u32`);
      uniforms.push(['u32', dims[k]!]);
    }
  const { storages, names: bufferNames } = bindStorages(out, inputs);
  const reads = inputs.map((view, v) => {
    fields.push(`o${v}: i32`);
    uniforms.push(['i32', view.offset]);
    if (contiguous[v]) return `${bufferNames[v]}[u32(p.o${v} + i32(i))]`;
    const terms = dims.map((_, k) => {
      fields.push(`s${v}_${k}: i32`);
      uniforms.push(['i32', strides[v]![k]!]);
      return ` + i32(${rank > 1 ? `c${k}` : 'i'}) * p.s${v}_${k}`;
    });
    return `${bufferNames[v]}[u32(p.o${v}${terms.join('')})]`;
  });
  const value = body(
    inputs.map((view, v) => ({ code: `v${v}`, kind: SCALAR_OF[view.storage.dtype], deps: [] })),
  );

  const declarations = storages.map(
    (s, b) =>
      `@group(0) @binding(${b}) var<storage, ${b === 0 ? 'read_write' : 'read'}> ${b === 0 ? 'out' : `buf${b}`}: array<${WGSL_ELEMENT[s.dtype]}>;`,
  );
  const coords: string[] = [];
  if (unravel) {
    coords.push('  var rest = i;');
    for (let k = rank - 1; k > 0; k--)
      coords.push(`  let c${k} = rest % p.d${k};`, `  rest = rest / p.d${k};`);
    coords.push('  let c0 = rest;');
  }
  const code = `${linkWgsl([OPAQUE, ...value.deps])}
${declarations.join('\n')}
struct Params { ${fields.join(', ')} }
@group(0) @binding(${storages.length}) var<uniform> p: Params;
${flatIndexWGSL(WORKGROUP_SIZE)}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  ${OPAQUE_INIT}
  let i = flatIndex(gid, groups);
  if (i >= p.n) { return; }
${coords.join('\n')}
${reads.map((read, v) => `  let v${v} = ${read};`).join('\n')}
  out[i] = ${value.code};
}`;
  rt.run({ code, storages, uniforms, workgroups: rt.grid(size, WORKGROUP_SIZE) });
}
