import type { GPTWithValueHead } from '@proj/nn';
import type { TrainEvent, TrainResult } from '../loop/events.js';
import type { Metrics, Update } from '../loop/objective.js';
import { runEvents } from '../loop/train-loop.js';
import { type GAEOptions, gae, type KLPenalty, tokenRewards } from './advantages.js';
import { AdaptiveKLController, type KLController } from './kl.js';
import { optimizeOnRollout } from './mini-batches.js';
import { type PPOLossOptions, ppoLoss } from './ppo-loss.js';
import type { PromptBatch } from './prompt-dataset.js';
import { klStats } from './rl-evaluation.js';
import { type RLTrainerOptions, rlTrainerEvents } from './rl-trainer.js';
import { type ReferenceModel, referenceLogprobs, rollout, scoreSequences } from './rollout.js';

/** Options of {@link ppoEvents}: TRL's classic `PPOConfig`, camel-cased, with the training loop's. */
export interface PPOOptions extends RLTrainerOptions<GPTWithValueHead>, PPOLossOptions, GAEOptions {
  /** The frozen reference (a copy of the starting policy), or `'adapters'` for a LoRA policy. */
  reference: ReferenceModel;
  /** Passes over each rollout (default 4). */
  ppoEpochs?: number;
  /** Completions per optimizer step (default: `batchSize`, one step per epoch). */
  miniBatchSize?: number;
  /** The KL coefficient β (default: adaptive, from 0.2 towards 6 nats, horizon 10000, as TRL). */
  klController?: KLController;
  /** How the per-token penalty measures the KL (default `'kl'`: `logp − logp_ref`). */
  klPenalty?: KLPenalty;
}

/**
 * One PPO iteration (TRL's classic `PPOTrainer.step`): sample a completion per prompt, score them,
 * compute the rollout's log-probabilities, values and the reference's log-probabilities, per-token
 * rewards `−β·KL` plus the score at the last token, GAE with whitened advantages, then
 * `ppoEpochs` shuffled passes of mini-batch steps on the clipped losses; finally adapt β.
 */
export function ppoUpdate(o: PPOOptions): Update<PromptBatch> {
  const klController = o.klController ?? new AdaptiveKLController(0.2, 6, 10000);
  const processing = o.generation;
  return async (batch, ctx) => {
    const { model } = o;
    const r = await rollout(model, batch.prompts, { ...o, generator: ctx.generator });
    const { mask } = r.batch;
    const old = scoreSequences(model, r.batch, { processing });
    const ref = referenceLogprobs(model, o.reference, r.batch, { processing });
    const klCoef = klController.value;
    const { rewards, nonScoreRewards } = tokenRewards(r.scores, old.logprobs, ref, mask, {
      klCoef,
      klPenalty: o.klPenalty,
    });
    const estimates = gae(rewards, old.values!, mask, o);
    const asMask = (t: typeof mask) => t.to(mask.dtype);
    const [advantages, returns, values] = [estimates.advantages, estimates.returns, estimates.values].map(
      asMask,
    );
    const N = batch.prompts.length;
    const done = await optimizeOnRollout(
      model,
      r.batch,
      ctx,
      {
        miniBatchSize: o.miniBatchSize ?? N,
        epochs: o.ppoEpochs ?? 4,
        processing,
        entropyName: 'ppo/policy/entropy',
      },
      (mb) => {
        const step = ppoLoss(
          {
            logprobs: mb.logprobs,
            values: mb.output.values!,
            oldLogprobs: mb.pick(old.logprobs),
            oldValues: mb.pick(values!),
            advantages: mb.pick(advantages!),
            returns: mb.pick(returns!),
            mask: mb.sequences.mask,
          },
          o,
        );
        return { loss: step.loss, metrics: step.stats };
      },
    );
    const kl = klStats(old.logprobs, ref, mask).perSequence;
    klController.update(kl, N);
    const perSequence = (t: typeof mask) => t.mul(mask).sum().item() / N;
    const metrics: Metrics = {
      'objective/kl': kl,
      'objective/kl_coef': klCoef,
      'objective/entropy': -perSequence(old.logprobs),
      'ppo/mean_non_score_reward': perSequence(asMask(nonScoreRewards)),
      ...scoreStats(r.scores),
      'tokens/queries_len_mean': mean(batch.prompts.map((p) => p.length)),
      'tokens/responses_len_mean': mean(r.completions.map((c) => c.length)),
      'ppo/learning_rate': ctx.lr,
      ...done.metrics,
    };
    return { ...done, metrics };
  };
}

/**
 * PPO with a KL penalty (TRL's classic `PPOTrainer`, as in its gpt2-sentiment example) as an async
 * iterator of progress events: the shared training loop, one rollout and its PPO epochs per
 * iteration, with schedules, evaluations ({@link rlEvaluation}), checkpoints, exact resume (the
 * rollout samples from the loop's generator; save `klController.value` with the checkpoint) and
 * divergence handling. Steps log TRL's stats (`objective/kl`, `objective/entropy`,
 * `env/reward_mean`, `ppo/policy/clipfrac`, `ppo/policy/approxkl`, `ppo/val/vpred`, …).
 * @throws TrainingDivergedError when the training diverges; RangeError for invalid options or a
 *   reference whose vocabulary differs from the policy's; RewardError when the reward function
 *   returns a non-finite score.
 */
export function ppoEvents(o: PPOOptions): AsyncGenerator<TrainEvent, TrainResult, undefined> {
  return rlTrainerEvents(o, 'ppo', ppoUpdate(o));
}

/** Runs {@link ppoEvents} to the end, handing each event to `onEvent`, and returns the result. */
export function ppo(
  options: PPOOptions & { onEvent?: (event: TrainEvent) => void | Promise<void> },
): Promise<TrainResult> {
  return runEvents(ppoEvents(options), options.onEvent);
}

/** TRL's score statistics: `env/reward_mean`, `env/reward_std`, `ppo/mean_scores`, `ppo/std_scores`. */
export function scoreStats(scores: readonly number[]): Metrics {
  const m = mean(scores);
  const std = Math.sqrt(scores.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, scores.length - 1));
  return { 'env/reward_mean': m, 'env/reward_std': std, 'ppo/mean_scores': m, 'ppo/std_scores': std };
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
