import { noGrad, type Variable } from '@proj/autograd';
import { withAdaptersDisabled } from '@proj/nn';
import { concat, type Tensor, tensor } from '@proj/tensor';
import type { TrainEvent, TrainResult } from '../loop/events.js';
import type { Objective } from '../loop/objective.js';
import { runEvents, type TrainLoopOptions, trainLoopEvents } from '../loop/train-loop.js';
import { tokenLogprobs } from './logprobs.js';
import type { PreferenceBatch, PreferenceDataset, ReferenceLogps } from './preference-dataset.js';
import { type DPOLossOptions, dpoLoss } from './preference-losses.js';
import { checkSameContext } from './reward-trainer.js';
import { checkReference, type PolicyModel, type ReferenceModel } from './rollout.js';
import type { SequenceBatch } from './sequences.js';

/** Options of {@link dpoEvents}: the training loop over preference pairs, with DPO's loss. */
export interface DPOOptions
  extends Omit<
      TrainLoopOptions<PreferenceBatch>,
      'model' | 'train' | 'val' | 'blockSize' | 'objective' | 'update' | 'evaluate'
    >,
    DPOLossOptions {
  /** The policy (a `GPT`, with or without LoRA adapters). */
  model: PolicyModel;
  /**
   * The reference: a frozen model (e.g. a copy of the starting policy), or `'adapters'` (the policy
   * with its LoRA adapters disabled). Leave it out when both datasets hold precomputed reference
   * log-probabilities ({@link precomputeReferenceLogps}): then no reference model is needed.
   */
  reference?: ReferenceModel;
  train: PreferenceDataset;
  val?: PreferenceDataset;
}

/**
 * Sequence log-probabilities of the completions of a batch, `[N]`: each row's token log-probs
 * summed over its completion (prompt and padding masked), or averaged over it with `average` (IPO).
 */
export function sequenceLogps(model: PolicyModel, sequences: SequenceBatch, average = false): Variable {
  const { logits } = model.forward(sequences.ids);
  const summed = tokenLogprobs(logits, sequences.targets).sum(-1);
  return average ? summed.div(sequences.mask.sum(-1)) : summed;
}

/** Options of {@link precomputeReferenceLogps}. */
export interface PrecomputeReferenceOptions {
  /** Pairs per forward pass (default 8). */
  batchSize?: number;
  /** Average over the completion's tokens instead of summing (IPO). */
  average?: boolean;
}

/**
 * The reference's sequence log-probabilities of every pair of `data`, computed once without a graph
 * (TRL's `precompute_ref_log_probs`); `dataset.withReferenceLogps(...)` attaches them, so DPO then
 * needs no reference model in memory. `average` as for IPO. CPU backends; see
 * {@link precomputeReferenceLogpsAsync} for models on a GPU.
 * @throws DeviceMemoryError when the model lives in a device's memory.
 */
export function precomputeReferenceLogps(
  model: PolicyModel,
  reference: ReferenceModel,
  data: PreferenceDataset,
  options: PrecomputeReferenceOptions = {},
): ReferenceLogps {
  const { chosen, rejected } = referenceLogpsOfSet(model, reference, data, options);
  return { chosen: [...chosen.data()], rejected: [...rejected.data()] };
}

/** {@link precomputeReferenceLogps} on any backend: the log-probabilities are read asynchronously (from a GPU too). */
export async function precomputeReferenceLogpsAsync(
  model: PolicyModel,
  reference: ReferenceModel,
  data: PreferenceDataset,
  options: PrecomputeReferenceOptions = {},
): Promise<ReferenceLogps> {
  const { chosen, rejected } = referenceLogpsOfSet(model, reference, data, options);
  return { chosen: [...(await chosen.dataAsync())], rejected: [...(await rejected.dataAsync())] };
}

/** The reference's log-probabilities of every chosen and every rejected completion of `data`, `[pairs]` each. */
function referenceLogpsOfSet(
  model: PolicyModel,
  reference: ReferenceModel,
  data: PreferenceDataset,
  options: PrecomputeReferenceOptions,
): { chosen: Tensor; rejected: Tensor } {
  const { batchSize = 8, average = false } = options;
  const chosen: Tensor[] = [];
  const rejected: Tensor[] = [];
  for (let start = 0; start < data.length; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.length - start) }, (_, i) => start + i);
    const { sequences, pairs } = data.batchAt(indices, data.blockSize);
    const logps = referenceSequenceLogps(model, reference, sequences, average);
    chosen.push(logps.narrow(0, 0, pairs));
    rejected.push(logps.narrow(0, pairs, pairs));
  }
  return { chosen: concat(chosen), rejected: concat(rejected) };
}

/**
 * DPO's objective: the policy's sequence log-probabilities of both completions of each pair, the
 * reference's (precomputed in the batch, or computed without a graph), then {@link dpoLoss}.
 */
export function dpoObjective(
  model: PolicyModel,
  reference: ReferenceModel | undefined,
  options: DPOLossOptions = {},
): Objective<PreferenceBatch> {
  const average = options.lossType === 'ipo';
  return (batch) => {
    const { sequences, pairs } = batch;
    const policy = sequenceLogps(model, sequences, average);
    let refTensor: Tensor;
    if (batch.reference) {
      const { chosen, rejected } = batch.reference;
      const dtype = policy.dtype === 'float64' ? 'float64' : 'float32';
      refTensor = tensor([...chosen, ...rejected], { dtype });
    } else if (reference) refTensor = referenceSequenceLogps(model, reference, sequences, average);
    else
      throw new RangeError(
        'dpo: the batch has no precomputed reference log-probabilities and no reference model was given',
      );
    const { loss, metrics } = dpoLoss(
      {
        policyChosen: policy.narrow(0, 0, pairs),
        policyRejected: policy.narrow(0, pairs, pairs),
        referenceChosen: refTensor.narrow(0, 0, pairs),
        referenceRejected: refTensor.narrow(0, pairs, pairs),
      },
      options,
    );
    return { loss, metrics, tokens: sequences.ids.size };
  };
}

/**
 * Direct preference optimisation (TRL's `DPOTrainer`) as an async iterator of progress events: the
 * shared training loop with DPO's objective. Steps log TRL's `rewards/chosen`, `rewards/rejected`,
 * `rewards/accuracies`, `rewards/margins`, `logps/chosen`, `logps/rejected`; evaluations the same
 * names with `train_` and `eval_` in front.
 * @throws TrainingDivergedError when the training diverges; RangeError for invalid options, or a
 *   reference whose vocabulary differs from the policy's.
 * @example
 * await dpo({ model, reference: 'adapters', optimizer, train, batchSize: 8, maxIters: 100, generator });
 */
export async function* dpoEvents(o: DPOOptions): AsyncGenerator<TrainEvent, TrainResult, undefined> {
  checkReference('dpo', o.model, o.reference);
  checkSameContext('dpo', o.train, o.val);
  return yield* trainLoopEvents(
    { ...o, blockSize: o.train.blockSize, objective: dpoObjective(o.model, o.reference, o) },
    'dpo',
  );
}

/** Runs {@link dpoEvents} to the end, handing each event to `onEvent`, and returns the result. */
export function dpo(
  options: DPOOptions & { onEvent?: (event: TrainEvent) => void | Promise<void> },
): Promise<TrainResult> {
  return runEvents(dpoEvents(options), options.onEvent);
}

/**
 * The reference's sequence log-probabilities `[N]`, without a graph and in eval mode (the policy's
 * mode restored), left where the model computes them.
 */
function referenceSequenceLogps(
  model: PolicyModel,
  reference: ReferenceModel,
  sequences: SequenceBatch,
  average: boolean,
): Tensor {
  const source = reference === 'adapters' ? model : reference;
  const run = () =>
    noGrad(() => {
      const wasTraining = source.training;
      source.eval();
      try {
        return sequenceLogps(source, sequences, average).data;
      } finally {
        source.train(wasTraining);
      }
    });
  return reference === 'adapters' ? withAdaptersDisabled(model, run) : run();
}
