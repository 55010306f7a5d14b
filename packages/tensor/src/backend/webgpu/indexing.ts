import { gpuStorage, WGSL_TYPE } from './gpu-storage.js';
import type { GPUKernels } from './kernels.js';
import { flatIndexWGSL, type Uniform, type WebGPURuntime } from './runtime.js';

/** Threads per workgroup of the row kernels. */
const SIZE = 256;

const ROWS_UNIFORMS = `struct Rows { outer: u32, size: u32, count: u32, inner: u32 }`;

/**
 * The bindings (`source`, the int32 `index`, `out`, the geometry) and entry point of a row kernel,
 * one thread per element `e` of `out`, with `body` after the bounds check against `count` elements.
 */
const rowKernelWGSL = (type: string, count: string, body: string) => `${ROWS_UNIFORMS}
@group(0) @binding(0) var<storage, read> source: array<${type}>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
@group(0) @binding(3) var<uniform> rows: Rows;
${flatIndexWGSL(SIZE)}
@compute @workgroup_size(${SIZE})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let e = flatIndex(gid, groups);
  if (e >= ${count}) { return; }
  let j = e % rows.inner;
${body}
}`;

/** `out[o, i, j] = x[o, index[i], j]`: one thread per output element. */
const selectWGSL = (type: string) =>
  rowKernelWGSL(
    type,
    'rows.outer * rows.count * rows.inner',
    `  let i = (e / rows.inner) % rows.count;
  let o = e / (rows.inner * rows.count);
  out[e] = source[(o * rows.size + u32(index[i])) * rows.inner + j];`,
  );

/**
 * `out[o, r, j] += Σ_{i: index[i] = r} src[o, i, j]`: one thread per output element scans the index
 * (in order of `i`, so sums are deterministic; no float atomics in WGSL). Work grows as
 * `size × count`: right for embedding gradients of small vocabularies, the place for a sorted-index
 * variant when large vocabularies train here.
 */
const addWGSL = rowKernelWGSL(
  'f32',
  'rows.outer * rows.size * rows.inner',
  `  let r = i32((e / rows.inner) % rows.size);
  let o = e / (rows.inner * rows.size);
  var acc = out[e];
  for (var i = 0u; i < rows.count; i++) {
    if (index[i] == r) { acc += source[(o * rows.count + i) * rows.inner + j]; }
  }
  out[e] = acc;`,
);

/** The `Rows` uniform block. */
const rowsUniforms = (outer: number, size: number, count: number, inner: number): Uniform[] => [
  ['u32', outer],
  ['u32', size],
  ['u32', count],
  ['u32', inner],
];

/** Row gather and scatter-add (embedding lookups and their gradients) in WGSL. */
export function indexingKernels(rt: WebGPURuntime): Pick<GPUKernels, 'indexSelect' | 'indexAdd'> {
  return {
    indexSelect({ x, index, out, outer, size, count, inner }) {
      const total = outer * count * inner;
      if (total === 0) return;
      const xs = gpuStorage(x, 'indexSelect');
      rt.run({
        code: selectWGSL(WGSL_TYPE[xs.dtype]),
        storages: [xs, gpuStorage(index, 'indexSelect'), gpuStorage(out, 'indexSelect')],
        uniforms: rowsUniforms(outer, size, count, inner),
        workgroups: rt.grid(total, SIZE),
      });
    },
    indexAdd({ src, index, out, outer, size, count, inner }) {
      const total = outer * size * inner;
      if (total === 0 || count === 0) return;
      rt.run({
        code: addWGSL,
        storages: [gpuStorage(src, 'indexAdd'), gpuStorage(index, 'indexAdd'), gpuStorage(out, 'indexAdd')],
        uniforms: rowsUniforms(outer, size, count, inner),
        workgroups: rt.grid(total, SIZE),
      });
    },
  };
}
