import type { AttentionArgs, MatrixBatch } from '../../backend/backend.js';
import type { Storage } from '../../backend/memory.js';
import type { AnyBackend, AnyMemory } from '../../backend/registry.js';
import { DTypeError, fmtShape, ShapeError } from '../../errors.js';
import { broadcastShapes, shapeSize } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { add, where } from '../binary.js';
import { sum } from '../reduce.js';
import { denseOperand, type FloatDType, floatDTypeOf, matrixBatch } from './kernel-operands.js';

/** Options of the scaled dot-product attention functions. */
export interface AttentionKernelOptions {
  /**
   * Bool mask broadcastable to `[..., L, S]` (true = may attend), or a float mask added to the
   * scaled scores (−∞ hides a key).
   */
  mask?: Tensor;
  /** Hide keys after each query; with `L < S` (a KV cache) query `i` sits at key position `i + S − L`. */
  causal?: boolean;
  /** Score scale (default `1/sqrt(E)`). */
  scale?: number;
}

/**
 * How `q` `[..., L, E]`, `k` `[..., S, E]`, `v` `[..., S, Ev]` and a mask meet: their batch dims
 * broadcast to `batchShape`. When `k` and `v` have the batch dims, or them with trailing 1s
 * (grouped-query heads), their matrices are read in place (`sharedKV`) and `groups` consecutive query
 * matrices share one; otherwise every operand is read through a broadcast view of the whole batch
 * (`groups` 1).
 */
export interface AttentionLayout
  extends Pick<AttentionArgs, 'batch' | 'groups' | 'L' | 'S' | 'E' | 'Ev' | 'scale' | 'causal'> {
  dtype: FloatDType;
  batchShape: number[];
  sharedKV: boolean;
}

/** Resolves and checks the layout of an attention call. */
export function attentionLayout(
  op: string,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AttentionKernelOptions,
): AttentionLayout {
  const dtype = floatDTypeOf(op, q, 'q');
  if (k.dtype !== dtype || v.dtype !== dtype)
    throw new DTypeError(`${op}: q, k and v must share a dtype; got ${q.dtype}, ${k.dtype}, ${v.dtype}`);
  const fits =
    q.ndim >= 2 &&
    k.ndim >= 2 &&
    v.ndim >= 2 &&
    q.shape[q.ndim - 1] === k.shape[k.ndim - 1] &&
    k.shape[k.ndim - 2] === v.shape[v.ndim - 2];
  if (!fits)
    throw new ShapeError(
      `${op}: expected q [..., L, E], k [..., S, E], v [..., S, Ev]; got q=${fmtShape(q.shape)}, k=${fmtShape(k.shape)}, v=${fmtShape(v.shape)}`,
    );
  const L = q.shape[q.ndim - 2]!;
  const E = q.shape[q.ndim - 1]!;
  const S = k.shape[k.ndim - 2]!;
  const batchShape = broadcastShapes(op, q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2));
  const { mask } = options;
  if (mask) {
    const scores = [...batchShape, L, S];
    const masked = broadcastShapes(`${op} (mask)`, mask.shape, scores);
    if (masked.length !== scores.length || masked.some((d, i) => d !== scores[i]))
      throw new ShapeError(
        `${op}: mask ${fmtShape(mask.shape)} does not broadcast to the scores ${fmtShape(scores)}`,
      );
  }
  const groups = sharedGroups(batchShape, k.shape.slice(0, -2), v.shape.slice(0, -2));
  return {
    dtype,
    batchShape,
    batch: shapeSize(batchShape),
    sharedKV: groups !== null,
    groups: groups ?? 1,
    L,
    S,
    E,
    Ev: v.shape[v.ndim - 1]!,
    scale: options.scale ?? 1 / Math.sqrt(E),
    causal: options.causal ?? false,
  };
}

/**
 * How many consecutive query batch entries share one key/value matrix read in place: the product of
 * the trailing batch dims where `k` and `v` (with the same batch dims) have 1, when every dim before
 * them equals the batch's; null when they broadcast some other way (they are then read expanded).
 */
function sharedGroups(
  batchShape: readonly number[],
  kBatch: readonly number[],
  vBatch: readonly number[],
): number | null {
  if (kBatch.length !== vBatch.length || kBatch.some((d, i) => d !== vBatch[i])) return null;
  const k = [...Array<number>(batchShape.length - kBatch.length).fill(1), ...kBatch];
  let split = k.length;
  while (split > 0 && k[split - 1] === 1) split--;
  for (let i = 0; i < split; i++) if (k[i] !== batchShape[i]) return null;
  return shapeSize(batchShape.slice(split));
}

/** The query (or upstream gradient) matrices of every batch entry, `[batch]` matrices of `t`. */
export function batchMatrices(
  op: string,
  t: Tensor,
  a: AttentionLayout,
  backend: AnyBackend,
): MatrixBatch<AnyMemory> {
  const [rows, cols] = t.shape.slice(-2) as [number, number];
  return matrixBatch(op, t.expand([...a.batchShape, rows, cols]), backend);
}

/** The key or value matrices: one per group read in place, or one per batch entry through a broadcast view. */
export function sharedMatrices(
  op: string,
  t: Tensor,
  a: AttentionLayout,
  backend: AnyBackend,
): MatrixBatch<AnyMemory> {
  return a.sharedKV ? matrixBatch(op, t, backend) : batchMatrices(op, t, a, backend);
}

/**
 * The mask as the kernels take it: additive, contiguous `[maskBatch, L, S]` in the layout's dtype
 * (bool false → −∞), with `maskBatch` 1 when it does not vary over the batch, else `batch`.
 */
export function kernelMask(
  op: string,
  mask: Tensor,
  a: AttentionLayout,
  backend: AnyBackend,
): [Storage, number] {
  const additive = additiveMask(mask, a.dtype);
  const perBatch = mask.shape.slice(0, -2).some((d) => d !== 1);
  const plane = [a.L, a.S];
  if (!perBatch) {
    const m = additive.ndim > 2 ? additive.reshape(additive.shape.slice(-2)) : additive;
    return [denseOperand(op, m.expand(plane), a.dtype, backend), 1];
  }
  return [denseOperand(op, additive.expand([...a.batchShape, ...plane]), a.dtype, backend), a.batch];
}

/** A bool mask as 0 / −∞, a float mask as is, in `dtype`. */
export function additiveMask(mask: Tensor, dtype: FloatDType): Tensor {
  return mask.dtype === 'bool' ? where(mask, 0, Number.NEGATIVE_INFINITY).to(dtype) : mask.to(dtype);
}

/** Adds `mask` to `scores` in their dtype (a bool mask hides with −∞). */
export function applyMask(scores: Tensor, mask: Tensor): Tensor {
  return mask.dtype === 'bool'
    ? where(mask, scores, Number.NEGATIVE_INFINITY)
    : add(scores, mask.to(scores.dtype));
}

/** `t` summed over the dims it was broadcast along, back to `shape` (which it broadcast from). */
export function sumToShape(t: Tensor, shape: readonly number[]): Tensor {
  const lead = t.ndim - shape.length;
  const dims = t.shape
    .map((_, i) => i)
    .filter((i) => i < lead || (shape[i - lead] === 1 && t.shape[i] !== 1));
  return dims.length === 0 ? t : sum(t, dims, { keepdim: true }).reshape(shape);
}
