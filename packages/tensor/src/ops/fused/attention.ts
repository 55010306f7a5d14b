import type { AnyBackend } from '../../backend/registry.js';
import { fmtShape, ShapeError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { mul, sub, where } from '../binary.js';
import { matmul } from '../matmul.js';
import { logsumexp, sum } from '../reduce.js';
import { exp } from '../unary.js';
import {
  type AttentionKernelOptions,
  type AttentionLayout,
  applyMask,
  attentionLayout,
  batchMatrices,
  kernelMask,
  sharedMatrices,
  sumToShape,
} from './attention-layout.js';
import { futureKeys } from './attention-softmax.js';
import { denseOperand, fusedBackend, kernelOutput } from './kernel-operands.js';

/** What {@link scaledDotProductAttentionForward} returns. */
export interface AttentionResult {
  /** `[..., L, Ev]` over the broadcast batch dims. */
  out: Tensor;
  /** Per-query log-sum-exp of the masked, scaled scores `[..., L]`, kept for the backward. */
  lse: Tensor;
}

/** Gradients from {@link scaledDotProductAttentionBackward}, each shaped as its operand. */
export interface AttentionGrads {
  dq: Tensor;
  dk: Tensor;
  dv: Tensor;
}

/**
 * Scaled dot-product attention `out = softmax(scale·q·kᵀ + mask)·v` with each query's log-sum-exp, as
 * PyTorch's `_scaled_dot_product_flash_attention`: the backend's fused `attention` kernel when it has
 * one (it keeps no `[L, S]` weights; `k`/`v` sharing a query's batch dims or grouped over trailing
 * ones are read in place, transposed or permuted views included), else matmul and softmax from
 * primitive ops. With `causal`, query `i` sees keys `j ≤ i + S − L`; a query that sees no key gets NaN.
 *
 * Shapes: `q` `[..., L, E]`, `k` `[..., S, E]`, `v` `[..., S, Ev]` (batch dims broadcast, e.g. grouped
 * heads `[B, nKV, 1, S, E]` against `[B, nKV, g, L, E]`), mask broadcastable to `[..., L, S]` →
 * `out` `[..., L, Ev]`, `lse` `[..., L]`.
 * @throws ShapeError when the last dims or the batch dims do not fit; DTypeError unless q, k and v
 * share a float dtype.
 * @example const { out, lse } = scaledDotProductAttentionForward(q, k, v, { causal: true });
 */
export function scaledDotProductAttentionForward(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AttentionKernelOptions = {},
): AttentionResult {
  const op = 'scaledDotProductAttentionForward';
  const a = attentionLayout(op, q, k, v, options);
  const backend = fusedBackend(op, q, k, v, options.mask);
  if (!backend.attention) {
    const scores = maskedScores(q, k, a, options.mask);
    const lse = logsumexp(scores, -1);
    const out = matmul(exp(sub(scores, lse.unsqueeze(-1))), v);
    return { out, lse: lse.expand(out.shape.slice(0, -1)) };
  }
  const out = kernelOutput(backend, a.dtype, [...a.batchShape, a.L, a.Ev]);
  const lse = kernelOutput(backend, a.dtype, [...a.batchShape, a.L]);
  backend.attention({
    ...kernelArgs(op, backend, q, k, v, a, options.mask),
    out: out.buffer,
    lse: lse.buffer,
  });
  return { out, lse };
}

/**
 * Backward of {@link scaledDotProductAttentionForward} from its `out` and `lse` and the upstream
 * gradient `dout`, recomputing the weights `P = exp(scale·q·kᵀ + mask − lse)`:
 * `dv = Pᵀ·dout`, `dS = P ⊙ (dout·vᵀ − rowsum(dout ⊙ out))`, `dq = scale·dS·k`, `dk = scale·dSᵀ·q`,
 * each summed over the batch dims its operand was broadcast along (grouped heads included). Fused
 * kernel or primitive ops, as the forward.
 *
 * Shapes: as the forward; `dout` like `out` → `dq`, `dk`, `dv` shaped as `q`, `k`, `v`.
 * @throws ShapeError or DTypeError as the forward, or when `dout`, `out` or `lse` do not fit.
 */
export function scaledDotProductAttentionBackward(
  dout: Tensor,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  out: Tensor,
  lse: Tensor,
  options: AttentionKernelOptions = {},
): AttentionGrads {
  const op = 'scaledDotProductAttentionBackward';
  const a = attentionLayout(op, q, k, v, options);
  const outShape = [...a.batchShape, a.L, a.Ev];
  const lseShape = [...a.batchShape, a.L];
  for (const [name, t, shape] of [
    ['dout', dout, outShape],
    ['out', out, outShape],
    ['lse', lse, lseShape],
  ] as const) {
    if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new ShapeError(`${op}: ${name} ${fmtShape(t.shape)} must be ${fmtShape(shape)}`);
  }
  const backend = fusedBackend(op, dout, q, k, v, out, lse, options.mask);
  const g = dout.to(a.dtype);
  if (!backend.attentionBackward) {
    const weights = exp(sub(maskedScores(q, k, a, options.mask), lse.to(a.dtype).unsqueeze(-1)));
    const dWeights = matmul(g, v.transpose(-2, -1));
    const rowDots = sum(mul(g, out), -1, { keepdim: true });
    const dScores = mul(mul(weights, sub(dWeights, rowDots)), a.scale);
    return {
      dq: sumToShape(matmul(dScores, k), q.shape),
      dk: sumToShape(matmul(dScores.transpose(-2, -1), q), k.shape),
      dv: sumToShape(matmul(weights.transpose(-2, -1), g), v.shape),
    };
  }
  const kvShape = (t: Tensor) => (a.sharedKV ? t.shape : [...a.batchShape, ...t.shape.slice(-2)]);
  const dq = kernelOutput(backend, a.dtype, [...a.batchShape, a.L, a.E]);
  const dk = kernelOutput(backend, a.dtype, kvShape(k));
  const dv = kernelOutput(backend, a.dtype, kvShape(v));
  backend.attentionBackward({
    ...kernelArgs(op, backend, q, k, v, a, options.mask),
    out: denseOperand(op, out, a.dtype, backend),
    lse: denseOperand(op, lse, a.dtype, backend),
    dout: batchMatrices(op, g, a, backend),
    dq: dq.buffer,
    dk: dk.buffer,
    dv: dv.buffer,
  });
  return { dq: sumToShape(dq, q.shape), dk: sumToShape(dk, k.shape), dv: sumToShape(dv, v.shape) };
}

/** The kernel arguments both directions share, in `backend`'s memory. */
function kernelArgs(
  op: string,
  backend: AnyBackend,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  a: AttentionLayout,
  mask: Tensor | undefined,
) {
  const [maskData, maskBatch] = mask ? kernelMask(op, mask, a, backend) : [null, 1];
  return {
    q: batchMatrices(op, q, a, backend),
    k: sharedMatrices(op, k, a, backend),
    v: sharedMatrices(op, v, a, backend),
    mask: maskData,
    maskBatch,
    batch: a.batch,
    groups: a.groups,
    L: a.L,
    S: a.S,
    E: a.E,
    Ev: a.Ev,
    scale: a.scale,
    causal: a.causal,
  };
}

/** `scale·q·kᵀ` with the mask added and, when causal, future keys at −∞: `[..., L, S]`. */
function maskedScores(q: Tensor, k: Tensor, a: AttentionLayout, mask: Tensor | undefined): Tensor {
  let scores = mul(matmul(q, k.transpose(-2, -1)), a.scale);
  if (mask) scores = applyMask(scores, mask);
  return a.causal ? where(futureKeys(a.L, a.S), Number.NEGATIVE_INFINITY, scores) : scores;
}
