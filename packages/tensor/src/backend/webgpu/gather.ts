import type { DeviceStorage } from '../memory.js';
import { gpuStorage, WGSL_TYPE } from './gpu-storage.js';
import { rowKernelWGSL, runRowKernel } from './indexing.js';
import type { GPUKernels } from './kernels.js';
import { SPECIAL_FLOATS_WGSL } from './rows-wgsl.js';
import type { WebGPURuntime } from './runtime.js';

/** WGSL element type of `storage`, checked to be this backend's (`kernel` names it in errors). */
const typeOf = (storage: DeviceStorage, kernel: string) => WGSL_TYPE[gpuStorage(storage, kernel).dtype];

/** The value of an element whose index is out of range: NaN for f32, else 0 (the kernels' contract). */
const poisonOf = (type: string) => (type === 'f32' ? 'nan()' : `${type}(0)`);

/** `out[o, i, j] = x[o, index[o, i, j], j]`, one thread per output element. */
const gatherWGSL = (type: string) => `${SPECIAL_FLOATS_WGSL}
${rowKernelWGSL(
  type,
  'rows.outer * rows.count * rows.inner',
  `  let o = e / (rows.inner * rows.count);
  let id = index[e];
  if (id < 0 || u32(id) >= rows.size) {
    out[e] = ${poisonOf(type)};
    return;
  }
  out[e] = source[(o * rows.size + u32(id)) * rows.inner + j];`,
)}`;

/**
 * `out[o, r, j] += Σ_{i: index[o, i, j] = r} src[o, i, j]`, one thread per output element scanning its
 * column of the index in order of `i`: float sums are deterministic (WGSL has no float atomics, and
 * needs none), at a cost of `outer·size·inner·count` index reads — `B·T·V` for the gradient of a
 * log-probability gather over a vocabulary, small beside the logits' matrix product. Bool adds as a
 * logical or (`max` of 0/1); a float column with an index out of range becomes NaN.
 */
const scatterAddWGSL = (type: string) => `${SPECIAL_FLOATS_WGSL}
${rowKernelWGSL(
  type,
  'rows.outer * rows.size * rows.inner',
  `  let r = i32((e / rows.inner) % rows.size);
  let o = e / (rows.inner * rows.size);
  var acc = out[e];
  var poisoned = false;
  for (var i = 0u; i < rows.count; i++) {
    let at = (o * rows.count + i) * rows.inner + j;
    let id = index[at];
    if (id == r) { acc = ${type === 'u32' ? 'max(acc, source[at])' : 'acc + source[at]'}; }
    poisoned = poisoned || id < 0 || u32(id) >= rows.size;
  }
  out[e] = ${type === 'f32' ? 'select(acc, nan(), poisoned)' : 'acc'};`,
)}`;

/** `torch.gather` and `scatter_add` along the middle axis of `[outer, ·, inner]` blocks, in WGSL. */
export function gatherKernels(rt: WebGPURuntime): Pick<GPUKernels, 'gather' | 'scatterAdd'> {
  return {
    gather({ x, index, out, ...blocks }) {
      const code = gatherWGSL(typeOf(x, 'gather'));
      runRowKernel(rt, 'gather', code, [x, index, out], blocks, blocks.outer * blocks.count * blocks.inner);
    },
    scatterAdd({ src, index, out, ...blocks }) {
      const code = scatterAddWGSL(typeOf(out, 'scatterAdd'));
      const total = blocks.count === 0 ? 0 : blocks.outer * blocks.size * blocks.inner;
      runRowKernel(rt, 'scatterAdd', code, [src, index, out], blocks, total);
    },
  };
}
