import type { Variable } from '@proj/autograd';
import type { Generator } from '@proj/tensor';
import type { Batch } from '../data/token-dataset.js';
import type { MetricValues } from './metric-values.js';
import { lossOf, type TrainableLM } from './model.js';

/** Named values a step or an evaluation logs (TRL's names: `rewards/accuracies`, `objective/kl`, …). */
export type Metrics = Record<string, number>;

/** What an {@link Objective} computes for one batch. */
export interface ObjectiveOutput {
  /** The scalar to minimise, with its graph. */
  loss: Variable;
  /**
   * Values to log, numbers or one-element tensors (read by the loop asynchronously, so they may stay
   * on a GPU); steps average them over micro-batches, evaluations over batches.
   */
  metrics?: MetricValues;
  /** Tokens the batch holds (padding included), for the throughput figures. */
  tokens: number;
}

/**
 * The loss of one batch: a language model's cross-entropy (pretraining, finetuning), the
 * Bradley–Terry loss of a reward model, DPO's loss. The loop backpropagates it in training and
 * averages it (without a graph, in eval mode) in evaluations.
 */
export type Objective<B> = (batch: B) => ObjectiveOutput;

/** What the loop hands an {@link Update}. */
export interface UpdateContext<B> {
  /** 0-based index of the iteration. */
  iter: number;
  /** Learning rate of the iteration (already set on every parameter group). */
  lr: number;
  /** The loop's generator, whose state checkpoints hold: draws from it replay on resume. */
  generator: Generator;
  /** Draws a further training batch (e.g. the next micro-batch). */
  drawBatch(): B;
  /**
   * One optimizer step on the gradients accumulated since the last one: measures their norm
   * (clipping it to `gradClip`), and when `loss` and the norm are finite steps and zeroes them.
   * When either is not finite the gradients are zeroed, no step is taken, and this throws: the
   * loop then stops the run, or skips the rest of the iteration (`skipNonFiniteSteps`).
   * @returns the gradient norm before clipping (read asynchronously: gradients may live on a GPU).
   */
  optimizerStep(loss: number): Promise<number>;
}

/** What one iteration's update reports. */
export interface UpdateResult {
  /** The iteration's loss (mean over its micro-batches or optimizer steps). */
  loss: number;
  /** Gradient norm of its (last) optimizer step, before clipping. */
  gradNorm: number;
  /** Tokens processed, for throughput. */
  tokens: number;
  metrics?: Metrics;
}

/**
 * One iteration of training on `batch`, taking one or more optimizer steps through
 * `ctx.optimizerStep`. The default runs `gradAccum` micro-batches of the objective and one step;
 * PPO and GRPO sample completions of the batch's prompts and take several steps over them.
 */
export type Update<B> = (batch: B, ctx: UpdateContext<B>) => UpdateResult | Promise<UpdateResult>;

/** What an evaluation measures; a loss left out was not measured (NaN in the events). */
export interface Evaluation {
  trainLoss?: number;
  valLoss?: number;
  /** Values to log (e.g. `eval_rewards/accuracies`, `eval/reward_mean`). */
  metrics?: Metrics;
}

/**
 * An evaluation, run before the iteration `iter` when due. `scheduled` is false for the extra one
 * at the end that is off the `evalInterval` schedule. It must not draw from the loop's generator
 * (except as `evalBatches: 'random'` does), so that evaluating does not change the run.
 */
export type Evaluate = (ctx: { iter: number; scheduled: boolean }) => Evaluation | Promise<Evaluation>;

/** The language-model objective: `model.forward(x, y).loss` over the batch's tokens. */
export function languageModelObjective(model: TrainableLM): Objective<Batch> {
  return (batch) => ({ loss: lossOf(model, batch.x, batch.y), tokens: batch.x.size });
}

/** Sums of metrics, for means over micro-batches or evaluation batches. */
export class MetricSums {
  private readonly sums = new Map<string, number>();
  private readonly counts = new Map<string, number>();

  add(metrics: Metrics | undefined): void {
    for (const [name, value] of Object.entries(metrics ?? {})) {
      this.sums.set(name, (this.sums.get(name) ?? 0) + value);
      this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    }
  }

  /** The mean of each metric, names prefixed with `prefix`. */
  means(prefix = ''): Metrics {
    const out: Metrics = {};
    for (const [name, sum] of this.sums) out[`${prefix}${name}`] = sum / this.counts.get(name)!;
    return out;
  }
}
