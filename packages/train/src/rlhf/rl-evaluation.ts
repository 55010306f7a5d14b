import { Generator, type Tensor } from '@proj/tensor';
import type { BatchSource } from '../data/batch-source.js';
import { estimateLoss } from '../loop/evaluate.js';
import type { TrainableLM } from '../loop/model.js';
import type { Evaluate, Metrics } from '../loop/objective.js';
import type { PromptDataset } from './prompt-dataset.js';
import type { RewardFunction } from './reward-function.js';
import {
  type GenerationOptions,
  type PolicyModel,
  type ReferenceModel,
  referenceLogprobs,
  rollout,
  scoreSequences,
} from './rollout.js';

/** A held-out text whose language-model loss the policy should keep (fluency). */
export interface LanguageModelEval {
  data: BatchSource;
  batchSize: number;
  blockSize: number;
  evalIters: number;
}

/** What the RL evaluation needs. */
export interface RLEvaluationOptions {
  model: PolicyModel;
  /** The reference, for the KL; without one no KL is reported. */
  reference?: ReferenceModel;
  reward: RewardFunction;
  decode: (ids: readonly number[]) => string;
  prompts: PromptDataset;
  generation: GenerationOptions;
  batchSize: number;
  evalIters: number;
  /** Seed of the evaluation's sampling: every evaluation samples with a fresh generator from it. */
  seed: number;
  padId?: number;
  lm?: LanguageModelEval;
}

/**
 * The KL of a rollout to the reference, from the sampled tokens' log-probabilities (k1, TRL's
 * `objective/kl`): `Σ_t (logp − logp_ref)` per sequence averaged over sequences, and per token.
 */
export function klStats(
  logprobs: Tensor,
  refLogprobs: Tensor,
  mask: Tensor,
): { perSequence: number; perToken: number } {
  const kl = logprobs.sub(refLogprobs).mul(mask);
  const sequences = mask.shape[0]!;
  return { perSequence: kl.sum().item() / sequences, perToken: kl.sum().item() / mask.sum().item() };
}

/**
 * The evaluation of PPO and GRPO: completions of `evalIters` fixed batches of held-out prompts,
 * sampled with a generator seeded afresh (so every evaluation is comparable and the training
 * stream is untouched), scored by the reward function. Metrics: `eval/reward_mean`,
 * `eval/reward_std`, `eval/kl` (nats per sequence) and `eval/kl_per_token` (with a reference),
 * `eval/response_length`, and `eval/lm_loss` on a held-out text (with `lm`).
 */
export function rlEvaluation(o: RLEvaluationOptions): Evaluate {
  return async () => {
    const generator = new Generator(o.seed);
    const scores: number[] = [];
    let kl = 0;
    let klTokens = 0;
    let tokens = 0;
    for (let k = 0; k < o.evalIters; k++) {
      const { prompts } = o.prompts.evalBatch(k, o.evalIters, o.batchSize, o.model.config.blockSize);
      const r = await rollout(o.model, prompts, { ...o, generator });
      scores.push(...r.scores);
      const count = r.batch.mask.sum().item();
      tokens += count;
      if (o.reference) {
        const processing = o.generation;
        const logprobs = scoreSequences(o.model, r.batch, { processing }).logprobs;
        const ref = referenceLogprobs(o.model, o.reference, r.batch, { processing });
        kl += klStats(logprobs, ref, r.batch.mask).perSequence * prompts.length;
        klTokens += count;
      }
    }
    const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
    const metrics: Metrics = {
      'eval/reward_mean': mean,
      'eval/reward_std': Math.sqrt(scores.reduce((s, x) => s + (x - mean) ** 2, 0) / scores.length),
      'eval/response_length': tokens / scores.length,
    };
    if (o.reference) {
      metrics['eval/kl'] = kl / scores.length;
      metrics['eval/kl_per_token'] = kl / klTokens;
    }
    if (o.lm) metrics['eval/lm_loss'] = estimateLoss(o.model as TrainableLM, o.lm.data, o.lm);
    return { metrics };
  };
}
