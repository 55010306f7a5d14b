import { fmtShape, ShapeError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { mul, sub, where } from '../binary.js';
import { sum } from '../reduce.js';
import { denseOperand, floatDTypeOf, fusedBackend, kernelOutput } from './kernel-operands.js';
import { softmaxLastDim } from './softmax.js';

/**
 * True above the bottom-right-aligned diagonal of `[L, S]`: the keys a causal query `i` may not see
 * (`j > i + S − L`). In host memory whatever backend is active, so the op that applies it copies it to
 * where the scores are.
 */
export function futureKeys(L: number, S: number): Tensor {
  const hidden = new Uint8Array(L * S);
  for (let i = 0; i < L; i++) hidden.fill(1, i * S + Math.max(0, Math.min(S, i + S - L + 1)), (i + 1) * S);
  return new Tensor(hidden, [L, S]);
}

/**
 * Scaled, optionally causal softmax of attention scores over the last axis:
 * `out[..., i, j] = softmax_j(scale·x[..., i, j])`, with keys `j > i + S − L` weighted 0 when `causal`
 * (bottom-right aligned, as with a KV cache); a query that sees no key gets NaN. The backend's fused
 * `attentionSoftmax` kernel when it has one, else primitive ops.
 *
 * Shapes: `x` `[..., L, S]` → `[..., L, S]`.
 * @throws ShapeError for fewer than 2 dims; DTypeError for a non-float `x`.
 */
export function attentionSoftmaxForward(x: Tensor, scale: number, causal: boolean): Tensor {
  const op = 'attentionSoftmaxForward';
  const dtype = floatDTypeOf(op, x, 'scores');
  if (x.ndim < 2) throw new ShapeError(`${op}: scores must be [..., L, S], got ${fmtShape(x.shape)}`);
  const L = x.shape[x.ndim - 2]!;
  const S = x.shape[x.ndim - 1]!;
  const backend = fusedBackend(op, x);
  if (!backend.attentionSoftmax) {
    const scaled = mul(x, scale);
    return softmaxLastDim(
      op,
      causal ? where(futureKeys(L, S), Number.NEGATIVE_INFINITY, scaled) : scaled,
      false,
    );
  }
  const out = kernelOutput(backend, dtype, x.shape);
  const batch = L * S === 0 ? 0 : x.size / (L * S);
  backend.attentionSoftmax({
    x: denseOperand(op, x, dtype, backend),
    out: out.buffer,
    batch,
    L,
    S,
    scale,
    causal,
  });
  return out;
}

/**
 * Backward of {@link attentionSoftmaxForward} from its output `y`: `dx = scale·y ⊙ (dy − Σ dy⊙y)` per
 * row (hidden keys have weight 0, so their gradient is 0 too).
 *
 * Shapes: `dy` and `y` `[..., L, S]` → `dx` `[..., L, S]` in `y`'s dtype.
 * @throws ShapeError when the shapes differ; DTypeError for non-float operands.
 */
export function attentionSoftmaxBackward(dy: Tensor, y: Tensor, scale: number): Tensor {
  const op = 'attentionSoftmaxBackward';
  const dtype = floatDTypeOf(op, y, 'output');
  floatDTypeOf(op, dy, 'gradient');
  if (y.ndim < 2 || dy.ndim !== y.ndim || dy.shape.some((d, i) => d !== y.shape[i]))
    throw new ShapeError(
      `${op}: gradient ${fmtShape(dy.shape)} and output ${fmtShape(y.shape)} must both be [..., L, S]`,
    );
  const backend = fusedBackend(op, dy, y);
  if (!backend.attentionSoftmaxBackward) {
    const g = dy.to(dtype);
    return mul(mul(y, sub(g, sum(mul(g, y), -1, { keepdim: true }))), scale);
  }
  const S = y.shape[y.ndim - 1]!;
  const dx = kernelOutput(backend, dtype, y.shape);
  backend.attentionSoftmaxBackward(
    denseOperand(op, y, dtype, backend),
    denseOperand(op, dy, dtype, backend),
    dx.buffer,
    S === 0 ? 0 : y.size / S,
    S,
    scale,
  );
  return dx;
}
