import { noGrad } from '@proj/autograd';
import type { GPTRewardModel } from '@proj/nn';
import { tensor } from '@proj/tensor';
import type { TrainEvent, TrainResult } from '../loop/events.js';
import type { Objective } from '../loop/objective.js';
import { runEvents, type TrainLoopOptions, trainLoopEvents } from '../loop/train-loop.js';
import type { PreferenceBatch, PreferenceDataset } from './preference-dataset.js';
import { type BradleyTerryOptions, bradleyTerryLoss } from './preference-losses.js';
import type { RewardFunction } from './reward-function.js';

/** Options of {@link rewardModelEvents}: the training loop over preference pairs. */
export interface RewardModelOptions
  extends Omit<
      TrainLoopOptions<PreferenceBatch>,
      'model' | 'train' | 'val' | 'blockSize' | 'objective' | 'update' | 'evaluate'
    >,
    Pick<BradleyTerryOptions, 'centerRewardsCoefficient'> {
  model: GPTRewardModel;
  train: PreferenceDataset;
  val?: PreferenceDataset;
}

/**
 * The reward model's objective: rewards of the chosen and the rejected sequences (read at their
 * last token), then {@link bradleyTerryLoss} with each pair's margin.
 */
export function rewardModelObjective(
  model: GPTRewardModel,
  options: Pick<BradleyTerryOptions, 'centerRewardsCoefficient'> = {},
): Objective<PreferenceBatch> {
  return (batch) => {
    const { ids, lengths } = batch.sequences;
    const { rewards } = model.forward(ids, lengths);
    const B = batch.pairs;
    const { loss, metrics } = bradleyTerryLoss(rewards.narrow(0, 0, B), rewards.narrow(0, B, B), {
      margin: batch.margins,
      centerRewardsCoefficient: options.centerRewardsCoefficient,
    });
    return { loss, metrics, tokens: ids.size };
  };
}

/**
 * Trains a reward model on preference pairs (TRL's `RewardTrainer`) as an async iterator of
 * progress events: the shared training loop with the Bradley–Terry objective. Steps log
 * `accuracy`, `margin`, `rewards/chosen` and `rewards/rejected`; evaluations the same names with
 * `train_` and `eval_` in front.
 * @throws TrainingDivergedError when the training diverges; RangeError for invalid options.
 * @example
 * for await (const e of rewardModelEvents({ model, optimizer, train, val, batchSize: 8, maxIters: 200, generator }))
 *   if (e.type === 'eval') console.log(e.iter, e.metrics['eval_accuracy']);
 */
export async function* rewardModelEvents(
  o: RewardModelOptions,
): AsyncGenerator<TrainEvent, TrainResult, undefined> {
  checkSameContext('reward model', o.train, o.val);
  return yield* trainLoopEvents(
    { ...o, blockSize: o.train.blockSize, objective: rewardModelObjective(o.model, o) },
    'reward model',
  );
}

/** Runs {@link rewardModelEvents} to the end, handing each event to `onEvent`, and returns the result. */
export function trainRewardModel(
  options: RewardModelOptions & { onEvent?: (event: TrainEvent) => void | Promise<void> },
): Promise<TrainResult> {
  return runEvents(rewardModelEvents(options), options.onEvent);
}

/**
 * A {@link RewardFunction} that scores each prompt and completion with a trained reward model (its
 * score at the last token, in eval mode, without a graph), `batchSize` sequences at a time.
 */
export function rewardModelFunction(
  model: GPTRewardModel,
  options: { batchSize?: number; padId?: number } = {},
): RewardFunction {
  const { batchSize = 16, padId = 0 } = options;
  return (completions) => {
    const wasTraining = model.training;
    model.eval();
    try {
      return noGrad(() => {
        const scores: number[] = [];
        for (let start = 0; start < completions.length; start += batchSize) {
          const rows = completions
            .slice(start, start + batchSize)
            .map((c) => [...c.promptIds, ...c.completionIds]);
          const width = Math.max(...rows.map((r) => r.length));
          const ids = rows.map((r) => [...r, ...new Array<number>(width - r.length).fill(padId)]);
          const { rewards } = model.forward(
            tensor(ids, { dtype: 'int32' }),
            rows.map((r) => r.length),
          );
          scores.push(...(rewards.data.toArray() as number[]));
        }
        return scores;
      });
    } finally {
      model.train(wasTraining);
    }
  };
}

/** @throws RangeError when the validation pairs were fitted to another context than the training pairs. */
export function checkSameContext(
  op: string,
  train: { blockSize: number },
  val: { blockSize: number } | undefined,
): void {
  if (val && val.blockSize !== train.blockSize)
    throw new RangeError(
      `${op}: the validation pairs are fitted to a context of ${val.blockSize}, not ${train.blockSize}`,
    );
}
