import {
  argmax,
  DTypeError,
  type Generator,
  multinomial,
  ShapeError,
  softmax,
  type Tensor,
  tensor,
} from '@proj/tensor';

/** How the next token is chosen from a model's logits. */
export interface SamplingOptions {
  /** Divides the logits (default 1); 0 means greedy decoding (argmax). */
  temperature?: number;
  /** Keep only the `topK` most likely tokens (ties with the k-th are kept, as nanoGPT). */
  topK?: number;
  /** Nucleus sampling: keep the smallest set of most likely tokens whose probability reaches `topP`. */
  topP?: number;
  /** Source of the samples (default: the generator set by `manualSeed`). */
  generator?: Generator;
}

function checkLogits(op: string, logits: Tensor): void {
  if (logits.dtype !== 'float32' && logits.dtype !== 'float64')
    throw new DTypeError(`${op}: logits must be float, got ${logits.dtype}`);
  if (logits.ndim < 1) throw new ShapeError(`${op}: logits need a vocabulary axis, got a 0-d tensor`);
}

/**
 * Why `[B, V]` logits cannot be sampled from (`row 0 holds NaN at index 3`), or `undefined` when every
 * row can be: no NaN, no +Infinity, and at least one entry above −Infinity (−Infinity marks a token
 * that may not be picked).
 */
export function unsampleableLogits(logits: Tensor): string | undefined {
  const V = logits.shape[logits.ndim - 1]!;
  const data = logits.data();
  for (let start = 0, row = 0; start < data.length; start += V, row++) {
    let live = false;
    for (let j = 0; j < V; j++) {
      const v = data[start + j]!;
      if (Number.isNaN(v) || v === Number.POSITIVE_INFINITY) return `row ${row} holds ${v} at index ${j}`;
      if (v !== Number.NEGATIVE_INFINITY) live = true;
    }
    if (!live) return `row ${row} holds only -Infinity`;
  }
  return undefined;
}

/** A float copy of `[..., V]` logits where `filter(row, out)` may set entries of each row `out` to −Infinity. */
function filterRows(logits: Tensor, filter: (row: Float64Array, out: Float64Array) => void): Tensor {
  const V = logits.shape[logits.ndim - 1]!;
  const data = Float64Array.from(logits.data());
  for (let start = 0; start < data.length; start += V) {
    const row = data.subarray(start, start + V);
    filter(row.slice(), row);
  }
  return tensor(data, { shape: logits.shape, dtype: 'float64' }).to(logits.dtype);
}

/**
 * Keeps the `k` largest logits of each row `[..., V]` and sets the others to −Infinity; logits equal
 * to the k-th largest are kept too (nanoGPT's `logits < v[:, [-1]]` rule).
 * @throws RangeError unless `k` is a positive integer.
 */
export function topKFilter(logits: Tensor, k: number): Tensor {
  checkLogits('topKFilter', logits);
  if (!(Number.isInteger(k) && k > 0))
    throw new RangeError(`topKFilter: k must be a positive integer, got ${k}`);
  return filterRows(logits, (row, out) => {
    if (k >= row.length) return;
    const kth = kthLargest(row, k); // reorders row, a copy of out
    for (let j = 0; j < out.length; j++) if (out[j]! < kth) out[j] = Number.NEGATIVE_INFINITY;
  });
}

/** Whether `a` sorts before `b` ascending, NaN last (as a typed array's `sort`). */
const before = (a: number, b: number) => a < b || (Number.isNaN(b) && !Number.isNaN(a));

/**
 * The `k`-th largest value of `values` (NaN counting as the largest), by quickselect in linear
 * expected time; `values` is reordered.
 */
function kthLargest(values: Float64Array, k: number): number {
  const target = values.length - k; // its index in ascending order
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (before(values[i]!, pivot)) i++;
      while (before(pivot, values[j]!)) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return values[target]!;
}

/**
 * Nucleus filter (Holtzman et al. 2019): per row of `[..., V]` logits, keeps the most likely tokens,
 * in order, until their probability reaches `p` (the token that crosses `p` is kept, so at least one
 * survives) and sets the rest to −Infinity, as Hugging Face's `TopPLogitsWarper`.
 * @throws RangeError unless `0 < p <= 1`.
 */
export function topPFilter(logits: Tensor, p: number): Tensor {
  checkLogits('topPFilter', logits);
  if (!(p > 0 && p <= 1)) throw new RangeError(`topPFilter: p must be in (0, 1], got ${p}`);
  return filterRows(logits, (row, out) => {
    // Tokens at −Infinity have no probability: they stay out whatever p is, so only the others
    // are sorted (after top-k, a few hundred of a large vocabulary).
    const live = row
      .filter((v) => v !== Number.NEGATIVE_INFINITY)
      .sort()
      .reverse();
    if (live.length === 0) return;
    const peak = live[0]!;
    let total = 0;
    for (const v of live) total += Math.exp(v - peak);
    // Most likely first, the token that crosses p kept: find the value of the last kept one and how
    // many tokens of that value (the earliest ids) are kept.
    let cumulative = 0;
    let rank = 0;
    while (rank < live.length - 1 && cumulative + Math.exp(live[rank]! - peak) < p * total)
      cumulative += Math.exp(live[rank++]! - peak);
    const cut = live[rank]!;
    let ties = rank - live.indexOf(cut) + 1; // tokens equal to the cut that are kept
    for (let j = 0; j < row.length; j++) {
      if (row[j]! > cut) continue;
      if (row[j] === cut && ties > 0) ties--;
      else out[j] = Number.NEGATIVE_INFINITY;
    }
  });
}

/**
 * The distribution the next token is drawn from: `softmax(topP(topK(logits / temperature)))`, per
 * row of `[B, V]` logits.
 * @throws RangeError for a negative temperature (0 is greedy: use {@link sampleNext}).
 */
export function nextTokenProbabilities(
  logits: Tensor,
  options: Omit<SamplingOptions, 'generator'> = {},
): Tensor {
  checkLogits('nextTokenProbabilities', logits);
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0))
    throw new RangeError(`nextTokenProbabilities: temperature must be > 0, got ${temperature}`);
  let scaled = temperature === 1 ? logits : logits.div(temperature);
  if (options.topK !== undefined) scaled = topKFilter(scaled, options.topK);
  if (options.topP !== undefined && options.topP < 1) scaled = topPFilter(scaled, options.topP);
  return softmax(scaled, -1);
}

/**
 * Picks one token per row of last-position logits `[B, V]`: the argmax when `temperature` is 0,
 * otherwise a draw from {@link nextTokenProbabilities}. Returns int32 `[B]`.
 * @throws RangeError when a row holds NaN or +Infinity, or only −Infinity (see {@link unsampleableLogits}).
 */
export function sampleNext(logits: Tensor, options: SamplingOptions = {}): Tensor {
  checkLogits('sampleNext', logits);
  if (logits.ndim !== 2)
    throw new ShapeError(`sampleNext: logits must be [B, V], got [${logits.shape.join(', ')}]`);
  const problem = unsampleableLogits(logits);
  if (problem !== undefined) throw new RangeError(`sampleNext: the logits cannot be sampled (${problem})`);
  return drawNext(logits, options);
}

/** {@link sampleNext} for `[B, V]` logits already checked to be sampleable (`generate` checks them itself). */
export function drawNext(logits: Tensor, options: SamplingOptions): Tensor {
  if (options.temperature === 0) return argmax(logits, -1);
  const probs = nextTokenProbabilities(logits, options);
  return multinomial(probs, 1, { generator: options.generator }).reshape([-1]);
}
