import { DTypeError, ShapeError, Tensor } from '@proj/tensor';

/** What a padded batch needs in a decoder: per-row positions and the attention mask. */
export interface PaddedBatch {
  /** int32 `[B, T]`: each new token's position among its row's real tokens (Hugging Face's `position_ids`). */
  positions: Tensor;
  /**
   * bool `[B, 1, T, S]`, true = may attend: every real key, and each query's own key (so a padding
   * query attends to itself and stays finite); the causal mask is applied on top.
   */
  mask: Tensor;
}

/**
 * Positions and attention mask of `T` new tokens after `past` cached ones, from a Hugging Face
 * `attention_mask` `[B, past + T]` (1/true = a real token, 0/false = padding). Left-padded rows then
 * compute what they compute alone: positions count real tokens only (`cumsum(mask) − 1`, 0 for
 * padding) and no real query attends to a padding key.
 * @throws DTypeError unless the mask is bool or int32; ShapeError unless it is `[B, past + T]`;
 * RangeError for an int32 value other than 0 or 1.
 */
export function paddedBatch(
  op: string,
  attentionMask: Tensor,
  B: number,
  past: number,
  T: number,
): PaddedBatch {
  const S = past + T;
  if (attentionMask.dtype !== 'bool' && attentionMask.dtype !== 'int32')
    throw new DTypeError(`${op}: attentionMask must be bool or int32, got ${attentionMask.dtype}`);
  if (attentionMask.ndim !== 2 || attentionMask.shape[0] !== B || attentionMask.shape[1] !== S)
    throw new ShapeError(
      `${op}: attentionMask must be [B, past + T] = [${B}, ${S}] (cached positions included), got [${attentionMask.shape.join(', ')}]`,
    );
  const real = attentionMask.contiguous().data();
  const positions = new Int32Array(B * T);
  const mask = new Uint8Array(B * T * S); // bool storage: 1 = may attend
  for (let b = 0; b < B; b++) {
    let count = 0;
    for (let j = 0; j < S; j++) {
      const v = real[b * S + j]!;
      if (v !== 0 && v !== 1)
        throw new RangeError(`${op}: attentionMask[${b}, ${j}] is ${v}; use 1 for a token, 0 for padding`);
      count += v;
      if (j >= past) positions[b * T + j - past] = Math.max(0, count - 1);
    }
    for (let i = 0; i < T; i++)
      for (let j = 0; j < S; j++) mask[(b * T + i) * S + j] = real[b * S + j] || j === past + i ? 1 : 0;
  }
  return { positions: new Tensor(positions, [B, T]), mask: new Tensor(mask, [B, 1, T, S]) };
}
