import * as T from '@proj/tensor';
import { type Generator, ShapeError, type Tensor } from '@proj/tensor';
import { record } from '../graph.js';
import type { Variable, VariableLike } from '../variable.js';
import { add, maskedFill, mul } from './binary.js';
import { fusedAttention } from './fused-attention.js';
import { lift } from './lift.js';
import { matmul } from './matmul.js';
import { transpose } from './movement.js';
import { dropout, softmax } from './nn.js';

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** Bool mask broadcastable to `[..., L, S]` (true = may attend), or a float mask added to the scores. */
  mask?: Tensor;
  /** Hide keys after each query; with `L < S` (a KV cache) query `i` sits at key position `i + S − L`. */
  causal?: boolean;
  /** Dropout probability on the attention weights (default 0). */
  dropout?: number;
  /** Source of the dropout mask. */
  generator?: Generator;
  /** Score scale (default `1/sqrt(E)`). */
  scale?: number;
}

/**
 * `softmax(q·kᵀ·scale + mask) · v` for `q` `[..., L, E]`, `k` `[..., S, E]`, `v` `[..., S, Ev]` → `[..., L, Ev]`,
 * as PyTorch's `F.scaled_dot_product_attention`. Without dropout (and with q, k, v of one float
 * dtype) the op is `@proj/tensor`'s `scaledDotProductAttentionForward` and its backward: one fused
 * backend kernel each way where the backend has it, keeping only each query's log-sum-exp between
 * them; batch dims broadcast, and grouped-query heads (`k`/`v` `[B, nKV, 1, S, E]` against `q`
 * `[B, nKV, g, L, E]`) are read without copies. With dropout, or mixed dtypes, the composed ops run.
 * A query that sees no key gets NaN.
 * @throws ShapeError when the last dims do not fit (`q`'s E differs from `k`'s, or `k`'s S from `v`'s),
 * or the mask does not broadcast to the scores `[..., L, S]`.
 * @example scaledDotProductAttention(q, k, v, { causal: true }) // [B, nh, T, hs] each → [B, nh, T, hs]
 */
export function scaledDotProductAttention(
  q: VariableLike,
  k: VariableLike,
  v: VariableLike,
  options: AttentionOptions = {},
): Variable {
  const vq = lift(q);
  const vk = lift(k);
  const vv = lift(v);
  checkShapes(vq, vk, vv);
  const L = vq.shape[vq.ndim - 2]!;
  const S = vk.shape[vk.ndim - 2]!;
  const scale = options.scale ?? 1 / Math.sqrt(vq.shape[vq.ndim - 1]!);
  if (!options.dropout) {
    const fused = fusedAttention(vq, vk, vv, scale, options.causal ?? false, options.mask);
    if (fused) return fused;
  }
  const raw = matmul(vq, transpose(vk, -2, -1)); // [..., L, S]
  let weights: Variable;
  if (!options.mask) weights = attentionSoftmax(raw, scale, options.causal ?? false);
  else {
    let scores = mul(raw, scale);
    if (options.causal) scores = maskedFill(scores, causalMask(L, S), Number.NEGATIVE_INFINITY);
    scores =
      options.mask.dtype === 'bool'
        ? maskedFill(scores, options.mask.logicalNot(), Number.NEGATIVE_INFINITY)
        : add(scores, options.mask);
    weights = softmax(scores, -1);
  }
  if (options.dropout)
    weights = dropout(weights, options.dropout, options.generator ? { generator: options.generator } : {});
  return matmul(weights, vv);
}

function checkShapes(q: Variable, k: Variable, v: Variable): void {
  const ok =
    q.ndim >= 2 &&
    k.ndim >= 2 &&
    v.ndim >= 2 &&
    q.shape[q.ndim - 1] === k.shape[k.ndim - 1] &&
    k.shape[k.ndim - 2] === v.shape[v.ndim - 2];
  if (!ok)
    throw new ShapeError(
      `scaledDotProductAttention: expected q [..., L, E], k [..., S, E], v [..., S, Ev]; got q=[${q.shape.join(', ')}], k=[${k.shape.join(', ')}], v=[${v.shape.join(', ')}]`,
    );
}

/**
 * `softmax(scale·scores)` over the last axis of `scores` `[..., L, S]`, keys after each query hidden
 * when `causal` (bottom-right aligned), on `@proj/tensor`'s attention-softmax functions.
 */
function attentionSoftmax(scores: Variable, scale: number, causal: boolean): Variable {
  const out = T.attentionSoftmaxForward(scores.data, scale, causal);
  return record('attentionSoftmax', out, [scores], (g) => [T.attentionSoftmaxBackward(g, out, scale)]);
}

/** A bool `[L, S]` mask that is true where key `j` lies in the future of query `i` (bottom-right aligned). */
export function causalMask(L: number, S: number): Tensor {
  return T.ones([L, S], { dtype: 'bool' }).triu(S - L + 1);
}
