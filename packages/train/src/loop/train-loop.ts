import type { Variable } from '@proj/autograd';
import type { Generator, GeneratorState } from '@proj/tensor';
import type { BatchSource } from '../data/batch-source.js';
import { clipGradNorm, gradNorm as totalGradNorm } from '../optim/clip.js';
import { constantLR, type LRSchedule } from '../schedule/lr-schedule.js';
import { TrainingDivergedError } from './diverged.js';
import { estimateLoss } from './evaluate.js';
import type {
  CheckpointEvent,
  EvalEvent,
  LossHistory,
  SkipEvent,
  StepEvent,
  TrainEvent,
  TrainResult,
} from './events.js';
import { lossOf, type TrainableLM } from './model.js';

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
 * Options of the training loop that `pretrain` and `finetune` run; names follow nanoGPT's
 * `train.py`, camel-cased.
 */
export interface TrainLoopOptions {
  model: TrainableLM;
  optimizer: OptimizerLike;
  /** Training batches. */
  train: BatchSource;
  /** Validation batches (optional; without them evaluations report only the training loss). */
  val?: BatchSource;
  /** Windows (or examples) per micro-batch (`batch_size`). */
  batchSize: number;
  /** Tokens per window (`block_size`; for examples, the longest they may be). */
  blockSize: number;
  /** Total optimizer steps (`max_iters`). */
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
   * reports it — as large runs skip the batches of loss spikes (PaLM, OPT).
   */
  skipNonFiniteSteps?: number;
}

/**
 * The training loop as an async iterator of progress events — nanoGPT's `train.py`: at each
 * iteration, evaluate when due (mean loss over `evalIters` batches per split, in eval mode
 * without a graph), set the scheduled learning rate, run `gradAccum` micro-batches (forward, loss /
 * gradAccum, backward), clip the gradient norm, step, and zero the gradients. The iterator's
 * return value is the {@link TrainResult}. `pretrainEvents` and `finetuneEvents` run it on token
 * windows and on supervised examples.
 *
 * Batches are drawn in nanoGPT's order: a step's first batch before that iteration's evaluation
 * (train.py fetches it at the end of the previous step), each further micro-batch right after the
 * previous micro-batch's forward pass.
 *
 * A step whose loss or gradient norm is NaN or infinite is never applied: the run stops with a
 * {@link TrainingDivergedError} (or skips it, see `skipNonFiniteSteps`), and so does an evaluation
 * that is not finite — no checkpoint is written from a diverged model.
 *
 * @param loop - the name errors give (`pretrain`, `finetune`).
 * @throws TrainingDivergedError when the training diverges; RangeError for invalid options.
 * @example
 * for await (const e of trainLoopEvents(options)) if (e.type === 'eval') console.log(e.iter, e.valLoss);
 */
export async function* trainLoopEvents(
  o: TrainLoopOptions,
  loop = 'train',
): AsyncGenerator<TrainEvent, TrainResult, undefined> {
  const gradAccum = o.gradAccum ?? 1;
  const gradClip = o.gradClip ?? 0;
  const evalInterval = o.evalInterval ?? 250;
  const evalIters = o.evalIters ?? 20;
  const evalBatches = o.evalBatches ?? 'fixed';
  const skipLimit = o.skipNonFiniteSteps ?? 0;
  checkOptions(loop, o, gradAccum, gradClip, evalInterval, evalIters, skipLimit);
  const schedule = o.schedule ?? constantLR(o.optimizer.paramGroups[0]?.lr ?? 0);
  const start = o.resume?.iter ?? 0;
  let best = o.resume?.bestValLoss ?? Infinity;
  const history: LossHistory = {
    steps: [...(o.resume?.history.steps ?? [])],
    evals: [...(o.resume?.history.evals ?? [])],
  };
  const params: Variable[] = o.model.parameters();
  const t0 = performance.now();
  let trainMs = 0;
  let trainTokens = 0; // tokens (padding included) of the steps taken in this run
  let smoothMs = Number.NaN;
  let smoothTokens = Number.NaN;
  let finalTrain = Number.NaN;
  let finalVal = Number.NaN;
  let lastCheckpoint = -1;
  let aborted = false;
  let skipped = 0; // steps skipped in this run
  let skippedInARow = 0;
  let lastLr = Number.NaN;
  let iter = start;
  let nextBatch = o.resume?.nextBatch ?? null; // offsets of the drawn, not yet used batch
  const progress = (): TrainProgress => ({
    iter,
    bestValLoss: best,
    history,
    generator: o.generator.getState(),
    nextBatch: nextBatch && [...nextBatch],
  });
  function result(): TrainResult {
    const steps = iter - start - skipped;
    return {
      iters: iter,
      aborted,
      finalTrainLoss: finalTrain,
      finalValLoss: finalVal,
      bestValLoss: best,
      wallMs: performance.now() - t0,
      tokensPerSec: steps > 0 ? (trainTokens * 1000) / trainMs : Number.NaN,
      msPerIter: steps > 0 ? trainMs / steps : Number.NaN,
      skippedSteps: skipped,
      history,
    };
  }
  o.model.train();

  for (;;) {
    const scheduled = evalInterval > 0 && iter % evalInterval === 0;
    // a resumed run skips the evaluation its checkpoint was written after
    const evaluated = history.evals.at(-1)?.[0] === iter;
    const evalDue = (scheduled || iter === o.maxIters) && !evaluated;
    aborted = aborted || (o.signal?.aborted ?? false);
    if (!aborted && nextBatch === null)
      nextBatch = o.train.randomOffsets(o.batchSize, o.blockSize, o.generator);
    if (evalDue && evalIters > 0 && !aborted) {
      const shape = {
        batchSize: o.batchSize,
        blockSize: o.blockSize,
        evalIters,
        // nanoGPT evaluates only on its schedule: the extra evaluation at the end draws from a copy,
        // so the stream stays the one a longer run (or a resumed one) goes on with
        ...(evalBatches === 'random' ? { generator: scheduled ? o.generator : o.generator.clone() } : {}),
      };
      finalTrain = estimateLoss(o.model, o.train, shape);
      finalVal = o.val ? estimateLoss(o.model, o.val, shape) : Number.NaN;
      if (!Number.isFinite(finalTrain) || (o.val && !Number.isFinite(finalVal)))
        throw new TrainingDivergedError(
          { phase: 'eval', iter, loss: o.val ? finalVal : finalTrain, gradNorm: Number.NaN, lr: lastLr },
          result(),
        );
      const improved = finalVal < best;
      if (improved) best = finalVal;
      history.evals.push([iter, finalTrain, finalVal]);
      yield {
        type: 'eval',
        iter,
        trainLoss: finalTrain,
        valLoss: finalVal,
        bestValLoss: best,
        improved,
      } satisfies EvalEvent;
      const reason = improved && iter > 0 ? 'best' : o.alwaysSaveCheckpoint ? 'always' : null;
      if (reason && o.checkpoint) {
        await o.checkpoint(progress(), reason);
        lastCheckpoint = iter;
        yield { type: 'checkpoint', iter, reason } satisfies CheckpointEvent;
      }
    }
    if (iter >= o.maxIters || aborted) break;

    const lr = schedule(iter);
    lastLr = lr;
    for (const group of o.optimizer.paramGroups) group.lr = lr;
    const stepStart = performance.now();
    let lossSum = 0;
    let stepTokens = 0;
    let batch = o.train.batchAt(nextBatch!, o.blockSize);
    nextBatch = null;
    for (let micro = 0; micro < gradAccum; micro++) {
      const loss = lossOf(o.model, batch.x, batch.y);
      stepTokens += batch.x.size;
      // the next micro-batch is drawn after this forward; the next step's, before its evaluation
      if (micro + 1 < gradAccum) batch = o.train.randomBatch(o.batchSize, o.blockSize, o.generator);
      lossSum += loss.item();
      (gradAccum > 1 ? loss.div(gradAccum) : loss).backward();
    }
    const loss = lossSum / gradAccum;
    const gradNorm = gradClip > 0 ? clipGradNorm(params, gradClip) : totalGradNorm(params);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      o.optimizer.zeroGrad();
      if (skippedInARow >= skipLimit)
        throw new TrainingDivergedError({ phase: 'step', iter, loss, gradNorm, lr, skippedInARow }, result());
      skipped++;
      skippedInARow++;
      iter++;
      yield { type: 'skip', iter: iter - 1, loss, gradNorm, lr, inARow: skippedInARow } satisfies SkipEvent;
      continue;
    }
    skippedInARow = 0;
    o.optimizer.step();
    o.optimizer.zeroGrad();
    const stepMs = performance.now() - stepStart;
    trainMs += stepMs;
    trainTokens += stepTokens;
    smoothMs = Number.isNaN(smoothMs) ? stepMs : 0.9 * smoothMs + 0.1 * stepMs;
    smoothTokens = Number.isNaN(smoothTokens) ? stepTokens : 0.9 * smoothTokens + 0.1 * stepTokens;
    history.steps.push([iter, loss]);
    iter++;
    const elapsedMs = performance.now() - t0;
    yield {
      type: 'step',
      iter: iter - 1,
      maxIters: o.maxIters,
      loss,
      lr,
      gradNorm,
      tokensPerSec: (smoothTokens * 1000) / smoothMs,
      elapsedMs,
      etaMs: (elapsedMs / (iter - start)) * (o.maxIters - iter),
    } satisfies StepEvent;
  }

  if (o.checkpoint && lastCheckpoint !== iter) {
    const reason = aborted ? 'abort' : 'final';
    await o.checkpoint(progress(), reason);
    yield { type: 'checkpoint', iter, reason } satisfies CheckpointEvent;
  }
  return result();
}

/**
 * Runs a loop's events to the end, handing each to `onEvent` (awaited, so a caller may render or
 * yield to the event loop), and returns the loop's result.
 */
export async function runEvents(
  events: AsyncGenerator<TrainEvent, TrainResult, undefined>,
  onEvent?: (event: TrainEvent) => void | Promise<void>,
): Promise<TrainResult> {
  for (;;) {
    const next = await events.next();
    if (next.done) return next.value;
    await onEvent?.(next.value);
  }
}

function checkOptions(
  loop: string,
  o: TrainLoopOptions,
  gradAccum: number,
  gradClip: number,
  evalInterval: number,
  evalIters: number,
  skipLimit: number,
) {
  const ints: [string, number, number][] = [
    ['batchSize', o.batchSize, 1],
    ['blockSize', o.blockSize, 1],
    ['maxIters', o.maxIters, 0],
    ['gradAccum', gradAccum, 1],
    ['evalInterval', evalInterval, 0],
    ['evalIters', evalIters, 0],
    ['skipNonFiniteSteps', skipLimit, 0],
  ];
  for (const [name, value, min] of ints) {
    if (!(Number.isInteger(value) && value >= min))
      throw new RangeError(`${loop}: ${name} must be an integer >= ${min}, got ${value}`);
  }
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
}
