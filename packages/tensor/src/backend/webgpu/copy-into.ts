import { contiguousStrides } from '../../shape.js';
import type { StridedView } from '../backend.js';
import type { DeviceMemory } from '../memory.js';
import { type GPUDType, gpuStorage, WGSL_TYPE } from './gpu-storage.js';
import type { GPUKernels } from './kernels.js';
import { flatIndexWGSL, type WebGPURuntime } from './runtime.js';

/** Threads per workgroup. */
const SIZE = 256;

/** WGSL converting a value of `from` to `to` as the `copy` kernel does (truncation, `!= 0` for bool). */
function convert(from: GPUDType, to: GPUDType): string {
  if (from === to) return 'v';
  if (to === 'bool')
    return from === 'float32'
      ? 'select(0u, 1u, v != 0.0 || v != v)'
      : `select(0u, 1u, v != ${from === 'int32' ? '0' : '0u'})`;
  return `${WGSL_TYPE[to]}(v)`;
}

/**
 * One thread per element of `shape` (rank `rank`): the element's multi-index gives its offsets in the
 * source and destination views (`viewLayout` holds the shape, then the source strides, then the destination
 * strides, as i32).
 */
const copyIntoWGSL = (from: GPUDType, to: GPUDType, rank: number) => `
struct Views { total: u32, srcOffset: u32, dstOffset: u32 }
@group(0) @binding(0) var<storage, read> src: array<${WGSL_TYPE[from]}>;
@group(0) @binding(1) var<storage, read_write> dst: array<${WGSL_TYPE[to]}>;
@group(0) @binding(2) var<storage, read> viewLayout: array<i32>;
@group(0) @binding(3) var<uniform> views: Views;
${flatIndexWGSL(SIZE)}
@compute @workgroup_size(${SIZE})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let e = flatIndex(gid, groups);
  if (e >= views.total) { return; }
  var rest = i32(e);
  var s = i32(views.srcOffset);
  var d = i32(views.dstOffset);
  for (var axis = ${rank - 1}; axis >= 0; axis--) {
    let size = viewLayout[axis];
    let i = rest % size;
    rest = rest / size;
    s += i * viewLayout[${rank} + axis];
    d += i * viewLayout[${2 * rank} + axis];
  }
  let v = src[s];
  dst[d] = ${convert(from, to)};
}`;

/** Writes into strided views of GPU memory (slices of a gradient, of a cache) in WGSL. */
export function copyIntoKernels(rt: WebGPURuntime): Pick<GPUKernels, 'copyInto'> {
  return {
    copyInto(src: StridedView<DeviceMemory>, dst: StridedView<DeviceMemory>, shape: readonly number[]) {
      const total = shape.reduce((p, n) => p * n, 1);
      if (total === 0) return;
      const from = gpuStorage(src.data, 'copyInto');
      const to = gpuStorage(dst.data, 'copyInto');
      if (from.buffer === to.buffer) {
        // WebGPU cannot bind one buffer for reading and writing at once: go through a contiguous copy.
        const staged = rt.alloc(from.dtype, total);
        this.copyInto(src, { data: staged, offset: 0, strides: contiguousStrides(shape) }, shape);
        this.copyInto({ data: staged, offset: 0, strides: contiguousStrides(shape) }, dst, shape);
        return;
      }
      const rank = Math.max(1, shape.length);
      const layout = Int32Array.from([
        ...(shape.length ? shape : [1]),
        ...(shape.length ? src.strides : [0]),
        ...(shape.length ? dst.strides : [0]),
      ]);
      rt.run({
        code: copyIntoWGSL(from.dtype, to.dtype, rank),
        storages: [from, to, rt.upload(layout)],
        uniforms: [
          ['u32', total],
          ['u32', src.offset],
          ['u32', dst.offset],
        ],
        workgroups: rt.grid(total, SIZE),
      });
    },
  };
}
