import type { AttentionArgs, MatrixBatch } from '../backend.js';
import type { DeviceMemory } from '../memory.js';
import { floatStorage, type KernelBinding } from './matmul-wgsl.js';
import type { Uniform } from './runtime.js';

/** The uniforms every fused attention kernel shares (geometry, strides, mask layout). */
export function attentionParams(
  a: Omit<AttentionArgs<DeviceMemory>, 'out' | 'lse'>,
  extra: Readonly<Record<string, Uniform>>,
  views: Readonly<Record<string, MatrixBatch<DeviceMemory>>>,
): Record<string, Uniform> {
  const params: Record<string, Uniform> = {
    batch: ['u32', a.batch],
    groups: ['u32', a.groups],
    kvBatch: ['u32', a.batch / a.groups],
    L: ['u32', a.L],
    S: ['u32', a.S],
    E: ['u32', a.E],
    Ev: ['u32', a.Ev],
    shift: ['i32', a.S - a.L],
    maskStride: ['u32', a.maskBatch === 1 ? 0 : a.L * a.S],
    scale: ['f32', a.scale],
    ...extra,
  };
  for (const [name, view] of Object.entries(views)) {
    params[`${name}RowStride`] = ['u32', view.rowStride];
    params[`${name}ColStride`] = ['u32', view.colStride];
  }
  return params;
}

/** Bindings of the read-only operands `q`, `k`, `v` (and `dout`), then the mask when there is one. */
export function operandBindings(
  kernel: string,
  views: Readonly<Record<string, MatrixBatch<DeviceMemory>>>,
  mask: AttentionArgs<DeviceMemory>['mask'],
): KernelBinding[] {
  const bindings: KernelBinding[] = Object.entries(views).map(([name, view]) => ({
    name,
    storage: floatStorage(view.data, kernel, name),
    type: 'f32',
  }));
  if (mask) bindings.push({ name: 'mask', storage: floatStorage(mask, kernel, 'mask'), type: 'f32' });
  return bindings;
}

/** The batch offsets of each operand, concatenated: q (`batch`), k and v (`batch / groups` each), … */
export function concatOffsets(
  views: readonly MatrixBatch<DeviceMemory>[],
  counts: readonly number[],
): Int32Array {
  const offsets = new Int32Array(counts.reduce((sum, n) => sum + n, 0));
  let at = 0;
  views.forEach((view, i) => {
    offsets.set(view.offsets.subarray(0, counts[i]), at);
    at += counts[i]!;
  });
  return offsets;
}
