import type { TrainEvent, TrainResult } from '../loop/events.js';
import type { Update } from '../loop/objective.js';
import { type TrainLoopOptions, trainLoopEvents } from '../loop/train-loop.js';
import type { PromptBatch, PromptDataset } from './prompt-dataset.js';
import type { RewardFunction } from './reward-function.js';
import { type LanguageModelEval, rlEvaluation } from './rl-evaluation.js';
import { checkReference, type GenerationOptions, type PolicyModel, type ReferenceModel } from './rollout.js';

/** The options PPO and GRPO share: the training loop's, and the policy, the rater, prompts and sampling. */
export interface RLTrainerOptions<M extends PolicyModel = PolicyModel>
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
  > {
  /** The policy. */
  model: M;
  /** The frozen reference (a copy of the starting policy), or `'adapters'` for a LoRA policy. */
  reference?: ReferenceModel;
  /** Scores completions (the stand-in for human feedback, or a trained reward model). */
  reward: RewardFunction;
  /** Token ids to text, for the reward function. */
  decode: (ids: readonly number[]) => string;
  /** Training prompts; `batchSize` of them per iteration. */
  train: PromptDataset;
  /** Evaluation prompts (default: the training prompts). */
  val?: PromptDataset;
  /** How completions are sampled; log-probabilities use the same processing. */
  generation: GenerationOptions;
  /** Pads rollouts (default 0). */
  padId?: number;
  /** Seed of the evaluations' sampling (default 0). */
  evalSeed?: number;
  /** A held-out text whose loss evaluations report as `eval/lm_loss`. */
  lm?: LanguageModelEval;
  /** Batches of evaluation prompts per evaluation (default 1). */
  evalIters?: number;
}

/**
 * The training loop of an RL trainer: its `update` each iteration, {@link rlEvaluation} on the
 * evaluation prompts, the rest as the loop does it.
 * @throws RangeError when the reference's vocabulary differs from the policy's.
 */
export async function* rlTrainerEvents<M extends PolicyModel>(
  o: RLTrainerOptions<M>,
  loop: string,
  update: Update<PromptBatch>,
): AsyncGenerator<TrainEvent, TrainResult, undefined> {
  checkReference(loop, o.model, o.reference);
  const evalIters = o.evalIters ?? 1;
  const evaluate = rlEvaluation({ ...o, prompts: o.val ?? o.train, seed: o.evalSeed ?? 0, evalIters });
  return yield* trainLoopEvents(
    { ...o, blockSize: o.model.config.blockSize, evalIters, update, evaluate },
    loop,
  );
}
