import type { Generator, GeneratorState } from '@proj/tensor';
import type { BatchSource } from '../data/batch-source.js';
import type { Batch } from '../data/token-dataset.js';
import type { LRSchedule } from '../schedule/lr-schedule.js';
import type { CheckpointEvent, LossHistory } from './events.js';
import type { TrainableLM, TrainableModule } from './model.js';
import type { Evaluate, Objective, Update } from './objective.js';

/** What the loop needs from an optimizer: groups with a settable `lr`, `step()` and `zeroGrad()`. */
export interface OptimizerLike {
  paramGroups: { lr: number }[];
  step(): void;
  zeroGrad(): void;
}

/** Where a run stands: what a checkpoint must hold (besides weights and optimizer) to resume exactly. */
export interface TrainProgress {
  /** Steps taken. */
  iter: number;
  /** Best validation loss so far (Infinity before the first evaluation). */
  bestValLoss: number;
  /** Losses so far. */
  history: LossHistory;
  /** State of the batch-sampling generator. */
  generator: GeneratorState;
  /**
   * Offsets of the training batch already drawn for the next step (nanoGPT fetches it before the
   * evaluation that precedes the step), or null (or absent) when none is drawn yet.
   */
  nextBatch?: number[] | null;
}

/**
 * Options of the training loop that `pretrain`, `finetune`, the reward model, DPO, PPO and GRPO
 * run; names follow nanoGPT's `train.py`, camel-cased. Without `objective`, `update` and
 * `evaluate` it trains a language model (`model.forward(x, y).loss`) on batches of `{ x, y }`.
 */
export interface TrainLoopOptions<B = Batch> {
  /**
   * The model; a language model (`TrainableLM`) unless `objective` (or `update` and `evaluate`)
   * say how to train and evaluate it.
   */
  model: TrainableModule;
  optimizer: OptimizerLike;
  /** Training batches. */
  train: BatchSource<B>;
  /** Validation batches (optional; without them evaluations report only the training loss). */
  val?: BatchSource<B>;
  /** Windows (or examples) per micro-batch (`batch_size`). */
  batchSize: number;
  /** Tokens per window (`block_size`; for examples, the longest they may be). */
  blockSize: number;
  /** Total optimizer steps (`max_iters`); with an `update`, iterations. */
  maxIters: number;
  /** Micro-batches per step; each loss is divided by this before backward (default 1). */
  gradAccum?: number;
  /** Clip the gradient norm to this (`grad_clip`; default 0: off). */
  gradClip?: number;
  /** Learning rate per iteration, applied to every group (default: the optimizer's current lr). */
  schedule?: LRSchedule;
  /** Evaluate every this many steps, and at the end (default 250; 0: only at the end). */
  evalInterval?: number;
  /** Batches per evaluation and split (default 20; 0: never evaluate). */
  evalIters?: number;
  /**
   * Which batches an evaluation averages over (default `'fixed'`):
   * - `'fixed'`: the same `evalIters` batches every time, spread evenly over each split
   *   (`evalBatch`) — deterministic, comparable across evaluations, and no draws;
   * - `'random'`: nanoGPT's `estimate_loss` — `evalIters` random batches of the training split,
   *   then of the validation split, drawn from `generator` between the steps' batches, so that with
   *   a `'torch'` generator and the same initial weights a run replays nanoGPT's stream exactly.
   */
  evalBatches?: 'fixed' | 'random';
  /** Draws the training batches (and random evaluation batches); its state is part of the checkpoint. */
  generator: Generator;
  /** Continue a run from a checkpoint's progress (weights, optimizer and generator restored by the caller). */
  resume?: Pick<TrainProgress, 'iter' | 'bestValLoss' | 'history'> & { nextBatch?: number[] | null };
  /**
   * Persists a checkpoint; called when an evaluation sets a new best validation loss (after step 0),
   * at every evaluation when `alwaysSaveCheckpoint`, at the end, and when aborted.
   */
  checkpoint?: (progress: TrainProgress, reason: CheckpointEvent['reason']) => void | Promise<void>;
  /** Checkpoint at every evaluation, not only on improvement (default false). */
  alwaysSaveCheckpoint?: boolean;
  /**
   * Stops the run after the current step (a final checkpoint is written with reason `'abort'`): an
   * `AbortSignal`, or anything whose `aborted` turns true (typed so that no DOM lib is needed).
   */
  signal?: { readonly aborted: boolean };
  /**
   * Steps with a non-finite loss or gradient norm that may be skipped in a row before the run
   * stops (default 0: stop at the first). A skipped step changes no weight and no optimizer state
   * (its gradients are zeroed), but the iteration and the LR schedule move on and a `skip` event
   * reports it — as large runs skip the batches of loss spikes (PaLM, OPT). With an `update` that
   * takes several optimizer steps, the rest of the iteration is skipped (its earlier steps stay).
   */
  skipNonFiniteSteps?: number;
  /** Loss and metrics of a batch (default: the language-model loss `model.forward(x, y).loss`). */
  objective?: Objective<B>;
  /** One iteration's training (default: `gradAccum` micro-batches of `objective`, one optimizer step). */
  update?: Update<B>;
  /** The evaluation (default: the mean `objective` over `evalIters` batches of each split). */
  evaluate?: Evaluate;
}

/** Option values that make no sense whatever the data. @throws RangeError naming the option. */
export function checkLoopOptions<B>(loop: string, o: TrainLoopOptions<B>): void {
  const ints: [string, number, number][] = [
    ['batchSize', o.batchSize, 1],
    ['blockSize', o.blockSize, 1],
    ['maxIters', o.maxIters, 0],
    ['gradAccum', o.gradAccum ?? 1, 1],
    ['evalInterval', o.evalInterval ?? 250, 0],
    ['evalIters', o.evalIters ?? 20, 0],
    ['skipNonFiniteSteps', o.skipNonFiniteSteps ?? 0, 0],
  ];
  for (const [name, value, min] of ints) {
    if (!(Number.isInteger(value) && value >= min))
      throw new RangeError(`${loop}: ${name} must be an integer >= ${min}, got ${value}`);
  }
  const gradClip = o.gradClip ?? 0;
  if (!(gradClip >= 0)) throw new RangeError(`${loop}: gradClip must be >= 0, got ${gradClip}`);
  if (o.resume && !(Number.isInteger(o.resume.iter) && o.resume.iter >= 0))
    throw new RangeError(`${loop}: resume.iter must be an integer >= 0, got ${o.resume.iter}`);
  const next = o.resume?.nextBatch;
  if (next && next.length !== o.batchSize)
    throw new RangeError(
      `${loop}: resume.nextBatch has ${next.length} offsets but batchSize is ${o.batchSize}`,
    );
  if (next) {
    try {
      o.train.batchAt(next, o.blockSize);
    } catch (error) {
      throw new RangeError(
        `${loop}: resume.nextBatch does not fit the training data (${(error as Error).message})`,
      );
    }
  }
  const mode = o.evalBatches ?? 'fixed';
  if (mode !== 'fixed' && mode !== 'random')
    throw new RangeError(`${loop}: evalBatches must be 'fixed' or 'random', got ${JSON.stringify(mode)}`);
  const needsLM = !o.objective && (!o.update || !o.evaluate);
  if (needsLM && typeof (o.model as Partial<TrainableLM>).forward !== 'function')
    throw new RangeError(
      `${loop}: the model has no forward(ids, targets): give an objective (or an update and an evaluate)`,
    );
}
