import type { Variable } from '@proj/autograd';
import type { Generator, Tensor } from '@proj/tensor';
import { MetricSums, type Metrics, type UpdateContext, type UpdateResult } from '../loop/objective.js';
import { type LogitsProcessing, tokenEntropy, tokenLogprobs } from './logprobs.js';
import { maskedMean } from './masked.js';
import type { PolicyModel } from './rollout.js';
import { type SequenceBatch, selectRows, selectTensorRows } from './sequences.js';

/**
 * The rows `0…n−1` in mini-batches of `size` for each of `epochs` passes, each pass in a fresh
 * random order drawn from `generator` (Fisher–Yates), as PPO's epochs shuffle the rollout.
 * @throws RangeError for a size or epoch count that is not a positive integer.
 */
export function miniBatches(n: number, size: number, epochs: number, generator: Generator): number[][] {
  for (const [name, value] of [
    ['miniBatchSize', size],
    ['epochs', epochs],
  ] as const) {
    if (!(Number.isInteger(value) && value > 0))
      throw new RangeError(`miniBatches: ${name} must be a positive integer, got ${value}`);
  }
  const out: number[][] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = generator.integer(0, i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < n; start += size) out.push(order.slice(start, start + size));
  }
  return out;
}

/** One mini-batch of a rollout, as a PPO or GRPO loss reads it. */
export interface RolloutMiniBatch {
  /** Which rows of the rollout. */
  rows: number[];
  /** Those rows, cut to their longest. */
  sequences: SequenceBatch;
  /** The same rows (and width) of a `[N, L]` tensor of the rollout. */
  pick(t: Tensor): Tensor;
  /** The policy's log-probabilities of the sampled tokens now, with a graph. */
  logprobs: Variable;
  /** What the policy's forward pass returned (a value head's `values`, for PPO). */
  output: { logits: Variable; values?: Variable };
}

/** Options of {@link optimizeOnRollout}. */
export interface RolloutOptimization {
  /** Completions per optimizer step. */
  miniBatchSize: number;
  /** Passes over the rollout. */
  epochs: number;
  /** Sampling's processing, for the log-probabilities. */
  processing: LogitsProcessing;
  /** The name the mean entropy is logged under (`ppo/policy/entropy`, `entropy`). */
  entropyName: string;
}

/**
 * The optimisation half of a PPO or GRPO iteration: `epochs` shuffled passes over the rollout in
 * mini-batches, each a forward pass (eval mode: dropout off, so the first ratios are exactly 1),
 * `loss`, backward and one optimizer step; the mode is restored after. Returns the iteration's
 * result: the mean loss and metrics over the steps, the last gradient norm, the tokens processed.
 */
export async function optimizeOnRollout(
  model: PolicyModel,
  batch: SequenceBatch,
  ctx: Pick<UpdateContext<unknown>, 'generator' | 'optimizerStep'>,
  o: RolloutOptimization,
  loss: (mb: RolloutMiniBatch) => { loss: Variable; metrics: Metrics },
): Promise<UpdateResult> {
  const sums = new MetricSums();
  let lossSum = 0;
  let gradNorm = Number.NaN;
  let tokens = 0;
  let steps = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    for (const rows of miniBatches(batch.lengths.length, o.miniBatchSize, o.epochs, ctx.generator)) {
      const sequences = selectRows(batch, rows);
      const width = sequences.ids.shape[1]!;
      const output = model.forward(sequences.ids) as RolloutMiniBatch['output'];
      const logprobs = tokenLogprobs(output.logits, sequences.targets, o.processing);
      const step = loss({ rows, sequences, pick: (t) => selectTensorRows(t, rows, width), logprobs, output });
      step.loss.backward();
      const value = step.loss.item();
      gradNorm = await ctx.optimizerStep(value);
      const entropy = tokenEntropy(output.logits.data, o.processing).to(sequences.mask.dtype);
      sums.add({ ...step.metrics, [o.entropyName]: maskedMean(entropy, sequences.mask).item() });
      lossSum += value;
      tokens += sequences.ids.size;
      steps++;
    }
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / steps, gradNorm, tokens, metrics: sums.means() };
}
