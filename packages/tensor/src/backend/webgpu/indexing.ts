import type { IndexBlocks } from '../backend.js';
import type { DeviceStorage } from '../memory.js';
import { gpuStorage, WGSL_TYPE } from './gpu-storage.js';
import type { GPUKernels } from './kernels.js';
import { flatIndexWGSL, type WebGPURuntime } from './runtime.js';

/** Threads per workgroup of the row kernels. */
export const SIZE = 256;

const ROWS_UNIFORMS = `struct Rows { outer: u32, size: u32, count: u32, inner: u32 }`;

/**
 * The bindings (`source`, the int32 `index`, `out`, the geometry) and entry point of a row kernel
 * (these, and gather's and scatter-add's), one thread per element `e` of `out`, with `body` after the
 * bounds check against `count` elements.
 */
export const rowKernelWGSL = (type: string, count: string, body: string) => `${ROWS_UNIFORMS}
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

/**
 * Dispatches row kernel `code` of {@link rowKernelWGSL} over `total` threads, binding `source`, `index`
 * and `out` (named in errors as storage of `kernel`) and the geometry; nothing for no threads.
 */
export function runRowKernel(
  rt: WebGPURuntime,
  kernel: string,
  code: string,
  [source, index, out]: readonly [DeviceStorage, DeviceStorage, DeviceStorage],
  { outer, size, count, inner }: IndexBlocks,
  total: number,
): void {
  if (total === 0) return;
  rt.run({
    code,
    storages: [gpuStorage(source, kernel), gpuStorage(index, kernel), gpuStorage(out, kernel)],
    uniforms: [
      ['u32', outer],
      ['u32', size],
      ['u32', count],
      ['u32', inner],
    ],
    workgroups: rt.grid(total, SIZE),
  });
}

/** Row gather and scatter-add (embedding lookups and their gradients) in WGSL. */
export function indexingKernels(rt: WebGPURuntime): Pick<GPUKernels, 'indexSelect' | 'indexAdd'> {
  return {
    indexSelect({ x, index, out, ...blocks }) {
      const code = selectWGSL(WGSL_TYPE[gpuStorage(x, 'indexSelect').dtype]);
      runRowKernel(
        rt,
        'indexSelect',
        code,
        [x, index, out],
        blocks,
        blocks.outer * blocks.count * blocks.inner,
      );
    },
    indexAdd({ src, index, out, ...blocks }) {
      const total = blocks.count === 0 ? 0 : blocks.outer * blocks.size * blocks.inner;
      runRowKernel(rt, 'indexAdd', addWGSL, [src, index, out], blocks, total);
    },
  };
}
