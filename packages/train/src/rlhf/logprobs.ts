import type { Variable } from '@proj/autograd';
import { IGNORE_INDEX, type SamplingOptions, topKFilter, topPFilter } from '@proj/nn';
import {
  arange,
  DTypeError,
  eq,
  isDeviceStorage,
  logicalAnd,
  logicalNot,
  ShapeError,
  Tensor,
  where,
} from '@proj/tensor';

/** How logits become the distribution tokens are sampled from: `generate`'s options, without the generator. */
export type LogitsProcessing = Omit<SamplingOptions, 'generator'>;

/**
 * Per-token log-probabilities of `targets` under the distribution `generate` samples from with the
 * same `processing`: `log softmax(topP(topK(logits / temperature)))`, the filters' cut computed
 * from the (detached) scaled logits as sampling computes it. RLHF needs exactly this: log-probs
 * from other processing than sampling's make PPO's ratios and KL wrong (TRL's "negative KL"
 * reports). A target the filters would drop — possible only through float rounding between the
 * cached and the full forward pass — is kept, so its log-probability stays finite.
 *
 * Shapes: `logits` `[B, T, V]`, int32 `targets` `[B, T]` (`IGNORE_INDEX` where nothing is
 * predicted) → `[B, T]`, 0 where ignored. Differentiable in `logits`; runs where `logits` live (a GPU
 * too: top-k and top-p filtering excepted, which sort on the CPU).
 * @throws ShapeError/DTypeError for mismatched inputs; RangeError for a temperature ≤ 0, or a target
 *   outside the vocabulary where the CPU can read the targets (in a device's memory one gives NaN).
 */
export function tokenLogprobs(
  logits: Variable,
  targets: Tensor,
  processing: LogitsProcessing = {},
): Variable {
  const [, , V] = checkShapes('tokenLogprobs', logits.data, targets);
  const temperature = processing.temperature ?? 1;
  if (!(temperature > 0))
    throw new RangeError(`tokenLogprobs: temperature must be > 0 (sampling's), got ${temperature}`);
  checkTargets(targets, V);
  const scaled = temperature === 1 ? logits : logits.div(temperature);
  const ignored = eq(targets, IGNORE_INDEX);
  const index = where(ignored, 0, targets).unsqueeze(-1); // (b, t, 1)
  const dropped = filteredOut(scaled.data, processing, index);
  const kept = dropped ? scaled.maskedFill(dropped, Number.NEGATIVE_INFINITY) : scaled;
  const picked = kept.logSoftmax(-1).gather(-1, index).squeeze(-1); // (b, t)
  return picked.maskedFill(ignored, 0);
}

/**
 * @throws RangeError naming the first target (by position) that is neither `IGNORE_INDEX` nor in
 *   `[0, V)`, where the CPU can read them (targets already in a device's memory give NaN instead).
 */
function checkTargets(targets: Tensor, V: number): void {
  if (isDeviceStorage(targets.buffer)) return;
  const T = targets.shape[1]!;
  targets
    .contiguous()
    .data()
    .forEach((id, i) => {
      if (id !== IGNORE_INDEX && !(id >= 0 && id < V))
        throw new RangeError(
          `tokenLogprobs: target ${id} at [${Math.floor(i / T)}, ${i % T}] outside [0, ${V})`,
        );
    });
}

/**
 * Entropy (nats) of the sampling distribution at each position, `−Σ p·log p` over the tokens the
 * filters keep. Shapes: `logits` `[B, T, V]` → float64 `[B, T]`.
 */
export function tokenEntropy(logits: Tensor, processing: LogitsProcessing = {}): Tensor {
  const V = logits.shape.at(-1)!;
  const temperature = processing.temperature ?? 1;
  let scaled = temperature === 1 ? logits : logits.div(temperature);
  if (processing.topK !== undefined) scaled = topKFilter(scaled, processing.topK);
  if (processing.topP !== undefined && processing.topP < 1) scaled = topPFilter(scaled, processing.topP);
  const z = scaled.contiguous().data();
  const out = new Float64Array(z.length / V);
  for (let row = 0; row < out.length; row++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < V; j++) max = Math.max(max, z[row * V + j]!);
    let sum = 0;
    let weighted = 0;
    for (let j = 0; j < V; j++) {
      const v = z[row * V + j]!;
      if (v === Number.NEGATIVE_INFINITY) continue;
      const e = Math.exp(v - max);
      sum += e;
      weighted += e * (v - max);
    }
    out[row] = Math.log(sum) - weighted / sum;
  }
  return new Tensor(out, logits.shape.slice(0, -1));
}

/** Where topK/topP drop a token (never a target: `index` `[B, T, 1]`), or null when they keep everything. */
function filteredOut(scaled: Tensor, processing: LogitsProcessing, index: Tensor): Tensor | null {
  const { topK, topP } = processing;
  if (topK === undefined && (topP === undefined || topP >= 1)) return null;
  let filtered = scaled;
  if (topK !== undefined) filtered = topKFilter(filtered, topK);
  if (topP !== undefined && topP < 1) filtered = topPFilter(filtered, topP);
  const isTarget = eq(arange(0, scaled.shape.at(-1)!, 1, { dtype: 'int32' }), index);
  return logicalAnd(eq(filtered, Number.NEGATIVE_INFINITY), logicalNot(isTarget));
}

function checkShapes(op: string, logits: Tensor, targets: Tensor): [number, number, number] {
  if (targets.dtype !== 'int32') throw new DTypeError(`${op}: targets must be int32, got ${targets.dtype}`);
  if (
    logits.ndim !== 3 ||
    targets.ndim !== 2 ||
    logits.shape[0] !== targets.shape[0] ||
    logits.shape[1] !== targets.shape[1]
  )
    throw new ShapeError(
      `${op}: logits [${logits.shape.join(', ')}] and targets [${targets.shape.join(', ')}] must be [B, T, V] and [B, T]`,
    );
  return logits.shape as [number, number, number];
}
