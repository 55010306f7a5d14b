import type { FloatArray } from '../../dtype.js';
import type { AttentionSoftmaxArgs } from '../backend.js';

/** Reference scaled (causal) attention softmax, in double precision per row. */
export function attentionSoftmax(args: AttentionSoftmaxArgs): void {
  const { x, out, batch, L, S, scale, causal } = args;
  for (let row = 0; row < batch * L; row++) {
    const i = row % L;
    const visible = causal ? Math.max(0, Math.min(S, i + S - L + 1)) : S;
    const start = row * S;
    if (visible === 0) {
      out.fill(Number.NaN, start, start + S);
      continue;
    }
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < visible; j++) max = Math.max(max, scale * x[start + j]!);
    if (max === Number.NEGATIVE_INFINITY) max = 0;
    let sum = 0;
    for (let j = 0; j < visible; j++) sum += Math.exp(scale * x[start + j]! - max);
    for (let j = 0; j < visible; j++) out[start + j] = Math.exp(scale * x[start + j]! - max) / sum;
    out.fill(0, start + visible, start + S);
  }
}

/** Reference backward of {@link attentionSoftmax}: `dx = scale·y ⊙ (dy − Σ dy⊙y)`. */
export function attentionSoftmaxBackward(
  y: FloatArray,
  dy: FloatArray,
  dx: FloatArray,
  rows: number,
  cols: number,
  scale: number,
): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let sum = 0;
    for (let j = start; j < start + cols; j++) sum += dy[j]! * y[j]!;
    for (let j = start; j < start + cols; j++) dx[j] = scale * y[j]! * (dy[j]! - sum);
  }
}
