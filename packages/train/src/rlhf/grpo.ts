import type { TrainEvent, TrainResult } from '../loop/events.js';
import { MetricSums, type Metrics, type Update } from '../loop/objective.js';
import { runEvents, type TrainLoopOptions, trainLoopEvents } from '../loop/train-loop.js';
import { groupAdvantages } from './advantages.js';
import { type GRPOLossOptions, grpoLoss } from './grpo-loss.js';
import { tokenEntropy, tokenLogprobs } from './logprobs.js';
import { maskedMean } from './masked.js';
import { miniBatches } from './mini-batches.js';
import { scoreStats } from './ppo.js';
import type { PromptBatch, PromptDataset } from './prompt-dataset.js';
import type { RewardFunction } from './reward-function.js';
import { type LanguageModelEval, rlEvaluation } from './rl-evaluation.js';
import {
  checkReference,
  type GenerationOptions,
  type PolicyModel,
  type ReferenceModel,
  referenceLogprobs,
  rollout,
  scoreSequences,
} from './rollout.js';
import { selectRows, selectTensorRows } from './sequences.js';

/** Options of {@link grpoEvents}: TRL's `GRPOConfig`, camel-cased, with the training loop's. */
export interface GRPOOptions
  extends Omit<
      TrainLoopOptions<PromptBatch>,
      | 'model'
      | 'train'
      | 'val'
      | 'blockSize'
      | 'gradAccum'
      | 'evalBatches'
      | 'objective'
      | 'update'
      | 'evaluate'
    >,
    Omit<GRPOLossOptions, 'normalizer'> {
  /** The policy (no value head: GRPO has no critic). */
  model: PolicyModel;
  /**
   * The reference, required when `beta > 0` (a frozen copy, or `'adapters'`); with `beta` 0 it is
   * optional and only measured against (`kl`, `eval/kl`).
   */
  reference?: ReferenceModel;
  reward: RewardFunction;
  decode: (ids: readonly number[]) => string;
  /** Training prompts; `batchSize` of them per iteration, each sampled `numGenerations` times. */
  train: PromptDataset;
  val?: PromptDataset;
  generation: GenerationOptions;
  /** Completions per prompt, G (default 8). */
  numGenerations?: number;
  /** Passes over each generation batch, μ (default 1). */
  numIterations?: number;
  /** Completions per optimizer step (default: all of the iteration's, one step per pass). */
  miniBatchSize?: number;
  /** Divide by the group's standard deviation (default true; false is Dr. GRPO). */
  scaleRewards?: boolean;
  padId?: number;
  evalSeed?: number;
  lm?: LanguageModelEval;
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
    const { mask } = r.batch;
    const advantages = groupAdvantages(r.scores, G, { scaleRewards: o.scaleRewards });
    const old = scoreSequences(model, r.batch, { processing }).logprobs;
    const ref = o.reference && referenceLogprobs(model, o.reference, r.batch, { processing });
    const N = prompts.length;
    const size = o.miniBatchSize ?? N;
    const sums = new MetricSums();
    let lossSum = 0;
    let gradNorm = Number.NaN;
    let tokens = 0;
    let steps = 0;
    const wasTraining = model.training;
    model.eval(); // dropout off: the ratios start at exactly 1
    try {
      for (const rows of miniBatches(N, size, o.numIterations ?? 1, ctx.generator)) {
        const sub = selectRows(r.batch, rows);
        const width = sub.ids.shape[1]!;
        const pick = (t: typeof mask) => selectTensorRows(t, rows, width);
        const { logits } = model.forward(sub.ids);
        const step = grpoLoss(
          {
            logprobs: tokenLogprobs(logits, sub.targets, processing),
            oldLogprobs: pick(old),
            refLogprobs: ref && pick(ref),
            advantages: rows.map((i) => advantages[i]!),
            mask: sub.mask,
          },
          { ...o, beta },
        );
        step.loss.backward();
        gradNorm = ctx.optimizerStep(step.loss.item());
        const entropy = tokenEntropy(logits.data, processing).to(mask.dtype);
        sums.add({ ...step.metrics, entropy: maskedMean(entropy, sub.mask).item() });
        lossSum += step.loss.item();
        tokens += sub.ids.size;
        steps++;
      }
    } finally {
      model.train(wasTraining);
    }
    const groups = Array.from({ length: N / G }, (_, g) => r.scores.slice(g * G, (g + 1) * G));
    const { 'env/reward_mean': reward, 'env/reward_std': rewardStd } = scoreStats(r.scores);
    const metrics: Metrics = {
      reward: reward!,
      reward_std: rewardStd!,
      frac_reward_zero_std: groups.filter((g) => g.every((s) => s === g[0])).length / groups.length,
      'completions/mean_length': r.completions.reduce((s, c) => s + c.length, 0) / N,
      learning_rate: ctx.lr,
      ...sums.means(),
    };
    return { loss: lossSum / steps, gradNorm, tokens, metrics };
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
  checkReference('grpo', o.model, o.reference);
  if ((o.beta ?? 0) > 0 && !o.reference) throw new RangeError('grpo: beta > 0 needs a reference');
  const G = o.numGenerations ?? 8;
  if (!(Number.isInteger(G) && G >= 2))
    throw new RangeError(`grpo: numGenerations must be an integer >= 2, got ${G}`);
  const evalIters = o.evalIters ?? 1;
  const evaluate = rlEvaluation({ ...o, prompts: o.val ?? o.train, seed: o.evalSeed ?? 0, evalIters });
  return yield* trainLoopEvents(
    { ...o, blockSize: o.model.config.blockSize, evalIters, update: grpoUpdate(o), evaluate },
    'grpo',
  );
}

/** Runs {@link grpoEvents} to the end, handing each event to `onEvent`, and returns the result. */
export function grpo(
  options: GRPOOptions & { onEvent?: (event: TrainEvent) => void | Promise<void> },
): Promise<TrainResult> {
  return runEvents(grpoEvents(options), options.onEvent);
}
