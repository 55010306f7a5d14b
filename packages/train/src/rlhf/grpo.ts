import type { TrainEvent, TrainResult } from '../loop/events.js';
import type { Metrics, Update } from '../loop/objective.js';
import { runEvents } from '../loop/train-loop.js';
import { groupAdvantages } from './advantages.js';
import { type GRPOLossOptions, grpoLoss } from './grpo-loss.js';
import { optimizeOnRollout } from './mini-batches.js';
import { scoreStats } from './ppo.js';
import type { PromptBatch } from './prompt-dataset.js';
import { type RLTrainerOptions, rlTrainerEvents } from './rl-trainer.js';
import { type ReferenceModel, referenceLogprobs, rollout, scoreSequences } from './rollout.js';

/** Options of {@link grpoEvents}: TRL's `GRPOConfig`, camel-cased, with the training loop's. */
export interface GRPOOptions extends RLTrainerOptions, Omit<GRPOLossOptions, 'normalizer'> {
  /**
   * Required when `beta > 0`; with `beta` 0 it is optional and only measured against (`kl`,
   * `eval/kl`).
   */
  reference?: ReferenceModel;
  /** Completions per prompt, G (default 8); `batchSize` prompts per iteration. */
  numGenerations?: number;
  /** Passes over each generation batch, μ (default 1). */
  numIterations?: number;
  /** Completions per optimizer step (default: all of the iteration's, one step per pass). */
  miniBatchSize?: number;
  /** Divide by the group's standard deviation (default true; false is Dr. GRPO). */
  scaleRewards?: boolean;
}

/**
 * One GRPO iteration (TRL's `GRPOTrainer`): `numGenerations` completions per prompt, scored;
 * group-normalised advantages; the sampling-time log-probabilities (and the reference's when
 * `beta > 0`); then `numIterations` passes of mini-batch steps on {@link grpoLoss}.
 */
export function grpoUpdate(o: GRPOOptions): Update<PromptBatch> {
  const G = o.numGenerations ?? 8;
  const beta = o.beta ?? 0;
  const processing = o.generation;
  return async (batch, ctx) => {
    const { model } = o;
    const prompts = batch.prompts.flatMap((p) => Array.from({ length: G }, () => [...p]));
    const r = await rollout(model, prompts, { ...o, generator: ctx.generator });
    const advantages = groupAdvantages(r.scores, G, { scaleRewards: o.scaleRewards });
    const old = scoreSequences(model, r.batch, { processing }).logprobs;
    const ref = o.reference && referenceLogprobs(model, o.reference, r.batch, { processing });
    const N = prompts.length;
    const done = await optimizeOnRollout(
      model,
      r.batch,
      ctx,
      {
        miniBatchSize: o.miniBatchSize ?? N,
        epochs: o.numIterations ?? 1,
        processing,
        entropyName: 'entropy',
      },
      (mb) =>
        grpoLoss(
          {
            logprobs: mb.logprobs,
            oldLogprobs: mb.pick(old),
            refLogprobs: ref && mb.pick(ref),
            advantages: mb.rows.map((i) => advantages[i]!),
            mask: mb.sequences.mask,
          },
          { ...o, beta },
        ),
    );
    const groups = Array.from({ length: N / G }, (_, g) => r.scores.slice(g * G, (g + 1) * G));
    const { 'env/reward_mean': reward, 'env/reward_std': rewardStd } = scoreStats(r.scores);
    const metrics: Metrics = {
      reward: reward!,
      reward_std: rewardStd!,
      frac_reward_zero_std: groups.filter((g) => g.every((s) => s === g[0])).length / groups.length,
      'completions/mean_length': r.completions.reduce((s, c) => s + c.length, 0) / N,
      learning_rate: ctx.lr,
      ...done.metrics,
    };
    return { ...done, metrics };
  };
}

/**
 * Group relative policy optimisation (TRL's `GRPOTrainer`; DeepSeekMath) as an async iterator of
 * progress events: the shared training loop, one generation batch and its passes per iteration.
 * Steps log TRL's names (`reward`, `reward_std`, `frac_reward_zero_std`, `kl`, `entropy`,
 * `clip_ratio/region_mean`, `completions/mean_length`); evaluations {@link rlEvaluation}'s.
 * @throws TrainingDivergedError when the training diverges; RangeError for invalid options (or
 *   `beta > 0` without a reference, or a reference whose vocabulary differs); RewardError for a
 *   non-finite score.
 */
export async function* grpoEvents(o: GRPOOptions): AsyncGenerator<TrainEvent, TrainResult, undefined> {
  if ((o.beta ?? 0) > 0 && !o.reference) throw new RangeError('grpo: beta > 0 needs a reference');
  const G = o.numGenerations ?? 8;
  if (!(Number.isInteger(G) && G >= 2))
    throw new RangeError(`grpo: numGenerations must be an integer >= 2, got ${G}`);
  return yield* rlTrainerEvents(o, 'grpo', grpoUpdate(o));
}

/** Runs {@link grpoEvents} to the end, handing each event to `onEvent`, and returns the result. */
export function grpo(
  options: GRPOOptions & { onEvent?: (event: TrainEvent) => void | Promise<void> },
): Promise<TrainResult> {
  return runEvents(grpoEvents(options), options.onEvent);
}
