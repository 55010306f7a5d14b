import type { Tensor } from '@proj/tensor';
import * as T from '@proj/tensor';
import { record } from '../graph.js';
import type { Variable } from '../variable.js';

/**
 * `softmax(scale·q·kᵀ + mask)·v` on `@proj/tensor`'s fused attention functions (forward and
 * backward), keeping only the per-row log-sum-exp between them; null when q, k and v do not share a
 * float dtype (the composed ops then promote them).
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
  const options = { mask, causal, scale };
  const { out, lse } = T.scaledDotProductAttentionForward(q.data, k.data, v.data, options);
  return record('scaledDotProductAttention', out, [q, k, v], (g) => {
    const grads = T.scaledDotProductAttentionBackward(g, q.data, k.data, v.data, out, lse, options);
    return [grads.dq, grads.dk, grads.dv];
  });
}
