import { ShapeError, type Tensor } from '@proj/tensor';

/** How to tell real steps from padding in a batch of variable-length sequences. */
export interface SequenceLengthOptions {
  /** Real length of each sequence (`[B]` numbers or an int32 tensor); the rest is padding at the end. */
  lengths?: readonly number[] | Tensor;
  /** Bool `[B, T]`, true at real steps; each row must be a run of trues followed by falses. */
  mask?: Tensor;
}

/**
 * Normalises `lengths` or `mask` to an `Int32Array` of per-sequence lengths (null when neither is
 * given, meaning every step is real).
 * @throws ShapeError for a wrong count, a length outside `[0, T]`, or a mask with a gap.
 */
export function resolveLengths(
  op: string,
  options: SequenceLengthOptions,
  batch: number,
  steps: number,
): Int32Array | null {
  const { lengths, mask } = options;
  if (lengths && mask) throw new ShapeError(`${op}: pass lengths or mask, not both`);
  if (mask) return lengthsFromMask(op, mask, batch, steps);
  if (!lengths) return null;
  const values = Array.isArray(lengths) ? lengths : Array.from((lengths as Tensor).data());
  if (values.length !== batch)
    throw new ShapeError(`${op}: got ${values.length} lengths for a batch of ${batch}`);
  const out = new Int32Array(batch);
  values.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 0 || n > steps)
      throw new ShapeError(`${op}: lengths[${b}] = ${n} is outside [0, ${steps}]`);
    out[b] = n;
  });
  return out;
}

function lengthsFromMask(op: string, mask: Tensor, batch: number, steps: number): Int32Array {
  if (mask.dtype !== 'bool' || mask.ndim !== 2 || mask.shape[0] !== batch || mask.shape[1] !== steps)
    throw new ShapeError(
      `${op}: mask must be bool [${batch}, ${steps}], got ${mask.dtype} [${mask.shape.join(', ')}]`,
    );
  const m = mask.data();
  const out = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    let n = 0;
    while (n < steps && m[b * steps + n]) n++;
    for (let t = n; t < steps; t++) {
      if (m[b * steps + t])
        throw new ShapeError(`${op}: mask row ${b} has a real step at ${t} after padding at ${n}`);
    }
    out[b] = n;
  }
  return out;
}
