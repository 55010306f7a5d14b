import { allocStorage, type FloatArray, getBackend, type MatrixBatch, Tensor, where } from '@proj/tensor';
import { record } from '../graph.js';
import type { Variable } from '../variable.js';
import type { FloatDType } from './kernel-data.js';
import { kernelInput } from './kernel-data.js';

/**
 * `q` `[..., L, E]` against `k` `[..., S, E]`: the product of q's batch dims, and how many
 * consecutive query batch entries share one key/value entry (k's batch dims are q's, except for
 * trailing ones of size 1: grouped-query heads). Null when k broadcasts some other way.
 */
function batchGroups(qBatch: readonly number[], kBatch: readonly number[]): [number, number] | null {
  if (kBatch.length > qBatch.length) return null;
  const k = [...Array<number>(qBatch.length - kBatch.length).fill(1), ...kBatch];
  let split = k.length;
  while (split > 0 && k[split - 1] === 1) split--;
  for (let i = 0; i < split; i++) if (k[i] !== qBatch[i]) return null;
  const batch = qBatch.reduce((a, b) => a * b, 1);
  const groups = qBatch.slice(split).reduce((a, b) => a * b, 1);
  return [batch, groups];
}

/** The `[..., rows, cols]` matrices of `t`, read in place (every leading index, row-major order). */
function matrices(t: Tensor): MatrixBatch {
  const n = t.ndim;
  const lead = t.shape.slice(0, -2);
  const offsets = new Int32Array(lead.reduce((a, b) => a * b, 1));
  const index = lead.map(() => 0);
  for (let b = 0; b < offsets.length; b++) {
    let o = t.offset;
    for (let d = 0; d < lead.length; d++) o += index[d]! * t.strides[d]!;
    offsets[b] = o;
    for (let d = lead.length - 1; d >= 0 && ++index[d]! === lead[d]; d--) index[d] = 0;
  }
  return {
    data: t.storage as FloatArray,
    offsets,
    rowStride: t.strides[n - 2]!,
    colStride: t.strides[n - 1]!,
  };
}

/** Whether batch dims `from` broadcast to `to` without enlarging it. */
function broadcastsInto(from: readonly number[], to: readonly number[]): boolean {
  const lead = to.length - from.length;
  return lead >= 0 && from.every((d, i) => d === 1 || d === to[lead + i]);
}

/**
 * The mask as one additive float array `[maskBatch, L, S]` of `dtype` (bool false → −∞), with
 * `maskBatch` 1 when it does not vary over the batch dims, else every batch entry's own copy.
 */
function additiveMask(
  mask: Tensor,
  dtype: FloatDType,
  qBatch: readonly number[],
  L: number,
  S: number,
): [FloatArray, number] {
  const additive = mask.dtype === 'bool' ? where(mask, 0, Number.NEGATIVE_INFINITY) : mask;
  const perBatch = mask.shape.slice(0, -2).some((d) => d !== 1);
  if (!perBatch) {
    const m = additive.ndim > 2 ? additive.reshape(additive.shape.slice(-2)) : additive;
    return [kernelInput(m.expand([L, S]), dtype), 1];
  }
  const batch = qBatch.reduce((a, b) => a * b, 1);
  return [kernelInput(additive.expand([...qBatch, L, S]), dtype), batch];
}

/**
 * `softmax(scale·q·kᵀ + mask)·v` on the backend's fused attention kernels (forward and backward),
 * keeping only the per-row log-sum-exp between them; null when the operands do not fit the kernels
 * (mixed or non-float dtypes, or a key/value broadcast other than over trailing batch dims).
 */
export function fusedAttention(
  q: Variable,
  k: Variable,
  v: Variable,
  scale: number,
  causal: boolean,
  mask: Tensor | undefined,
): Variable | null {
  const dtype = q.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || k.dtype !== dtype || v.dtype !== dtype) return null;
  const qBatch = q.shape.slice(0, -2);
  const kBatch = k.shape.slice(0, -2);
  const vBatch = v.shape.slice(0, -2);
  if (kBatch.length !== vBatch.length || kBatch.some((d, i) => d !== vBatch[i])) return null;
  const fit = batchGroups(qBatch, kBatch);
  if (!fit) return null;
  const [batch, groups] = fit;
  const L = q.shape[q.ndim - 2]!;
  const E = q.shape[q.ndim - 1]!;
  const S = k.shape[k.ndim - 2]!;
  const Ev = v.shape[v.ndim - 1]!;
  if (mask && !broadcastsInto(mask.shape.slice(0, -2), qBatch)) return null; // it would enlarge the output
  const [m, maskBatch] = mask ? additiveMask(mask, dtype, qBatch, L, S) : [null, 1];
  const common = {
    q: matrices(q.data),
    k: matrices(k.data),
    v: matrices(v.data),
    mask: m,
    maskBatch,
    batch,
    groups,
    L,
    S,
    E,
    Ev,
    scale,
    causal,
  };
  const out = allocStorage(dtype, batch * L * Ev) as FloatArray;
  const lse = allocStorage(dtype, batch * L) as FloatArray;
  getBackend().attention({ ...common, out, lse });
  return record('scaledDotProductAttention', new Tensor(out, [...qBatch, L, Ev]), [q, k, v], (g) => {
    const dq = allocStorage(dtype, q.data.size) as FloatArray;
    const dk = allocStorage(dtype, k.data.size) as FloatArray;
    const dv = allocStorage(dtype, v.data.size) as FloatArray;
    const dout = matrices(g.dtype === dtype ? g : g.to(dtype));
    getBackend().attentionBackward({ ...common, out, lse, dout, dq, dk, dv });
    return [new Tensor(dq, q.shape), new Tensor(dk, k.shape), new Tensor(dv, v.shape)];
  });
}
