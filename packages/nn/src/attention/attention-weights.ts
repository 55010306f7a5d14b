import { causalMask, lift, softmax, type Variable, type VariableLike } from '@proj/autograd';
import type { MultiHeadAttention } from './multi-head-attention.js';

/** Options of {@link attentionWeights}. */
export interface AttentionWeightsOptions {
  /** Hide future keys (default: the layer's own `causal`). */
  causal?: boolean;
}

/**
 * The attention probabilities `softmax(q·kᵀ/√headSize)` a {@link MultiHeadAttention} computes in
 * self-attention over `x`, recomputed from its query and key projections (and rotary positions):
 * what PyTorch's `need_weights=True, average_attn_weights=False` returns. The layer's forward uses a
 * fused kernel that never forms them; this is for inspection, such as a ViT's class-token maps.
 *
 * Shapes: `x` `[B, T, nEmbd]` (the layer's input, after any pre-norm) → `[B, nHead, T, T]`; grouped
 * key/value heads serve their query heads.
 * @example attentionWeights(layer.self_attn, layer.norm1.forward(x)).narrow(2, 0, 1) // the first token's row
 */
export function attentionWeights(
  attention: MultiHeadAttention,
  x: VariableLike,
  options: AttentionWeightsOptions = {},
): Variable {
  const vx = lift(x);
  const [B, T] = vx.shape as [number, number, number];
  const { nHead: nh, nKVHead: nkv, headSize: hs } = attention;
  let q = attention.c_attn
    .forwardSlice(vx, 0, nh * hs)
    .view([B, T, nh, hs])
    .transpose(1, 2); // (B, nh, T, hs)
  let k = attention.c_attn
    .forwardSlice(vx, nh * hs, nkv * hs)
    .view([B, T, nkv, 1, hs])
    .expand([B, T, nkv, nh / nkv, hs])
    .reshape([B, T, nh, hs])
    .transpose(1, 2); // (B, nh, T, hs): each key head repeated for its group of query heads
  if (attention.rotary) {
    q = attention.rotary.apply(q);
    k = attention.rotary.apply(k);
  }
  let scores = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(hs)); // (B, nh, T, T)
  if (options.causal ?? attention.causal)
    scores = scores.maskedFill(causalMask(T, T), Number.NEGATIVE_INFINITY);
  return softmax(scores, -1);
}
