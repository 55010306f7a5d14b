import { ShapeError } from '../../errors.js';
import { contiguousStrides, shapeSize } from '../../shape.js';
import type { StridedView } from '../backend.js';
import { coalesce } from '../js/strided.js';
import type { DeviceMemory } from '../memory.js';
import { linkWgsl, OPAQUE, OPAQUE_INIT } from './elementwise-library.js';
import { type Expr, SCALAR_OF } from './elementwise-ops.js';
import { type GPUStorage, gpuStorage, WGSL_TYPE } from './gpu-storage.js';
import { flatIndexWGSL, type Uniform, type WebGPURuntime } from './runtime.js';

/**
 * The one shader shape behind unary, binary, copy and where: `out[i] = f(inputs at i)` over a shape,
 * `out` contiguous, each input read through a strided view (broadcast = stride 0, transposed,
 * offset). Axes that every view walks contiguously are merged first (as the JS kernels do), so the
 * usual cases index with one add; the rest unravel i by the merged dims, which are uniforms like the
 * strides and offsets, so a shader serves every shape of its rank. One invocation per element.
 */

const WORKGROUP_SIZE = 256;

/** A strided operand in GPU memory, named for error messages. */
export interface GPUView {
  readonly name: string;
  readonly storage: GPUStorage;
  readonly offset: number;
  readonly strides: readonly number[];
}

/** The operand `name` of `kernel` with its storage narrowed. @throws DeviceMemoryError for foreign storage. */
export function gpuView(kernel: string, name: string, view: StridedView<DeviceMemory>): GPUView {
  return { name, storage: gpuStorage(view.data, kernel), offset: view.offset, strides: view.strides };
}

/** A contiguous view of a whole storage. */
export function wholeView(name: string, storage: GPUStorage): GPUView {
  return { name, storage, offset: 0, strides: [1] };
}

/** Throws when a view reads outside its storage over the merged `dims`. */
function checkBounds(kernel: string, view: GPUView, dims: number[], strides: number[]): void {
  let low = view.offset;
  let high = view.offset;
  dims.forEach((d, k) => {
    const span = strides[k]! * (d - 1);
    if (span < 0) low += span;
    else high += span;
  });
  if (low < 0 || high >= view.storage.length)
    throw new ShapeError(
      `webgpu ${kernel}: ${view.name} (offset ${view.offset}, strides [${view.strides.join(', ')}]) reads elements ${low}..${high} of a storage of ${view.storage.length}`,
    );
}

/**
 * Storage bindings: `out` first (read_write), then each other storage once (read); an input that
 * is `out`'s storage reads it through `out` (WebGPU forbids binding it twice in one dispatch).
 */
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
 * Runs `out[i] = body(values)` over `shape` (`out` contiguous), `values[v]` the element of
 * `inputs[v]` at i.
 * @throws ShapeError when `out` is shorter than the shape or a view reads outside its storage.
 */
export function runMap(
  rt: WebGPURuntime,
  kernel: string,
  inputs: readonly GPUView[],
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
  inputs.forEach((view, v) => checkBounds(kernel, view, dims, strides[v]!));
  const rank = dims.length;
  const dense = contiguousStrides(dims);
  const contiguous = inputs.map((_, v) => strides[v]!.every((s, k) => s === dense[k]));
  const unravel = rank > 1 && contiguous.includes(false);

  const fields = ['n: u32', 'one: f32'];
  const uniforms: Uniform[] = [
    ['u32', size],
    ['f32', 1],
  ];
  const uniform = (name: string, type: 'u32' | 'i32', value: number): string => {
    fields.push(`${name}: ${type}`);
    uniforms.push([type, value]);
    return `p.${name}`;
  };
  const lines: string[] = [];
  if (unravel) {
    lines.push('var rest = i;');
    for (let k = rank - 1; k > 0; k--) {
      const d = uniform(`d${k}`, 'u32', dims[k]!);
      lines.push(`let c${k} = rest % ${d};`, `rest = rest / ${d};`);
    }
    lines.push('let c0 = rest;');
  }
  const { storages, names } = bindStorages(out, inputs);
  inputs.forEach((view, v) => {
    const offset = uniform(`o${v}`, 'i32', view.offset);
    const terms = contiguous[v]
      ? ['i32(i)']
      : dims.map(
          (_, k) => `i32(${unravel ? `c${k}` : 'i'}) * ${uniform(`s${v}_${k}`, 'i32', strides[v]![k]!)}`,
        );
    lines.push(`let v${v} = ${names[v]}[u32(${[offset, ...terms].join(' + ')})];`);
  });
  const value = body(
    inputs.map((view, v) => ({ code: `v${v}`, kind: SCALAR_OF[view.storage.dtype], deps: [] })),
  );

  const access = (b: number) => (b === 0 ? 'read_write> out' : `read> buf${b}`);
  const code = `${linkWgsl([OPAQUE, ...value.deps])}
${storages.map((s, b) => `@group(0) @binding(${b}) var<storage, ${access(b)}: array<${WGSL_TYPE[s.dtype]}>;`).join('\n')}
struct Params { ${fields.join(', ')} }
@group(0) @binding(${storages.length}) var<uniform> p: Params;
${flatIndexWGSL(WORKGROUP_SIZE)}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  ${OPAQUE_INIT}
  let i = flatIndex(gid, groups);
  if (i >= p.n) { return; }
  ${lines.join('\n  ')}
  out[i] = ${value.code};
}`;
  rt.run({ code, storages, uniforms, workgroups: rt.grid(size, WORKGROUP_SIZE) });
}
