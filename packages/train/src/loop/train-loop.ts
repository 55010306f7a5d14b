import type { Variable } from '@proj/autograd';
import type { Batch } from '../data/token-dataset.js';
import { clipGradNormAsync, gradNormAsync } from '../optim/clip.js';
import { constantLR } from '../schedule/lr-schedule.js';
import { TrainingDivergedError } from './diverged.js';
import { estimateObjectiveAsync } from './evaluate.js';
import type {
  CheckpointEvent,
  EvalEvent,
  LossHistory,
  SkipEvent,
  StepEvent,
  TrainEvent,
  TrainResult,
} from './events.js';
import { checkLoopOptions, type TrainLoopOptions, type TrainProgress } from './loop-options.js';
import { readMetrics } from './metric-values.js';
import type { TrainableLM } from './model.js';
import { nextTask } from './next-task.js';
import {
  type Evaluate,
  type Evaluation,
  languageModelObjective,
  MetricSums,
  type Metrics,
  type Objective,
  type Update,
} from './objective.js';

export type { OptimizerLike, TrainLoopOptions, TrainProgress } from './loop-options.js';

/** Thrown by `optimizerStep` for a non-finite loss or gradient norm; the loop stops or skips. */
class NonFiniteStep extends Error {
  constructor(
    readonly loss: number,
    readonly gradNorm: number,
  ) {
    super('non-finite step');
  }
}

/**
 * The training loop as an async iterator of progress events — nanoGPT's `train.py`: at each
 * iteration, evaluate when due (mean loss over `evalIters` batches per split, in eval mode
 * without a graph), set the scheduled learning rate, run `gradAccum` micro-batches (forward, loss /
 * gradAccum, backward), clip the gradient norm, step, and zero the gradients. The iterator's
 * return value is the {@link TrainResult}. `pretrainEvents` and `finetuneEvents` run it on token
 * windows and on supervised examples; the reward model and DPO give it their `objective`, PPO and
 * GRPO their `update` (rollouts and several optimizer steps per iteration) and `evaluate`.
 *
 * Batches are drawn in nanoGPT's order: a step's first batch before that iteration's evaluation
 * (train.py fetches it at the end of the previous step), each further micro-batch right after the
 * previous micro-batch's forward pass.
 *
 * A step whose loss or gradient norm is NaN or infinite is never applied: the run stops with a
 * {@link TrainingDivergedError} (or skips it, see `skipNonFiniteSteps`), and so does an evaluation
 * that is not finite — no checkpoint is written from a diverged model.
 *
 * @param loop - the name errors give (`pretrain`, `finetune`, `dpo`, …).
 * @throws TrainingDivergedError when the training diverges; RangeError for invalid options.
 * @example
 * for await (const e of trainLoopEvents(options)) if (e.type === 'eval') console.log(e.iter, e.valLoss);
 */
export async function* trainLoopEvents<B = Batch>(
  o: TrainLoopOptions<B>,
  loop = 'train',
): AsyncGenerator<TrainEvent, TrainResult, undefined> {
  checkLoopOptions(loop, o);
  const gradClip = o.gradClip ?? 0;
  const evalInterval = o.evalInterval ?? 250;
  const evalIters = o.evalIters ?? 20;
  const skipLimit = o.skipNonFiniteSteps ?? 0;
  const objective = o.objective ?? (languageModelObjective(o.model as TrainableLM) as Objective<unknown>);
  const update = o.update ?? objectiveUpdate(objective, o.gradAccum ?? 1);
  const evaluate = o.evaluate ?? objectiveEvaluation(o, objective, evalIters);
  const schedule = o.schedule ?? constantLR(o.optimizer.paramGroups[0]?.lr ?? 0);
  const start = o.resume?.iter ?? 0;
  let best = o.resume?.bestValLoss ?? Infinity;
  const history = copyHistory(o.resume?.history);
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
  const optimizerStep = async (loss: number): Promise<number> => {
    const gradNorm = await (gradClip > 0 ? clipGradNormAsync(params, gradClip) : gradNormAsync(params));
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      o.optimizer.zeroGrad();
      throw new NonFiniteStep(loss, gradNorm);
    }
    o.optimizer.step();
    o.optimizer.zeroGrad();
    return gradNorm;
  };
  o.model.train();

  for (;;) {
    // Between steps, let the tasks queued meanwhile run: among them the callbacks that return the
    // last steps' tensors to the WASM backend's memory.
    await nextTask();
    const scheduled = evalInterval > 0 && iter % evalInterval === 0;
    // a resumed run skips the evaluation its checkpoint was written after
    const evaluated = history.evals.at(-1)?.[0] === iter;
    const evalDue = (scheduled || iter === o.maxIters) && !evaluated;
    aborted = aborted || (o.signal?.aborted ?? false);
    if (!aborted && nextBatch === null)
      nextBatch = o.train.randomOffsets(o.batchSize, o.blockSize, o.generator);
    if (evalDue && evalIters > 0 && !aborted) {
      const e: Evaluation = await evaluate({ iter, scheduled });
      finalTrain = e.trainLoss ?? Number.NaN;
      finalVal = e.valLoss ?? Number.NaN;
      const measured = [e.trainLoss, e.valLoss].filter((l) => l !== undefined);
      if (measured.some((l) => !Number.isFinite(l)))
        throw new TrainingDivergedError(
          { phase: 'eval', iter, loss: e.valLoss ?? e.trainLoss!, gradNorm: Number.NaN, lr: lastLr },
          result(),
        );
      const improved = finalVal < best;
      if (improved) best = finalVal;
      const metrics = e.metrics ?? {};
      history.evals.push([iter, finalTrain, finalVal]);
      if (Object.keys(metrics).length > 0) (history.evalMetrics ??= []).push([iter, metrics]);
      yield {
        type: 'eval',
        iter,
        trainLoss: finalTrain,
        valLoss: finalVal,
        bestValLoss: best,
        improved,
        metrics,
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
    const batch = o.train.batchAt(nextBatch!, o.blockSize);
    nextBatch = null;
    let done: Awaited<ReturnType<Update<B>>>;
    try {
      done = await update(batch, {
        iter,
        lr,
        generator: o.generator,
        drawBatch: () => o.train.randomBatch(o.batchSize, o.blockSize, o.generator),
        optimizerStep,
      });
    } catch (error) {
      if (!(error instanceof NonFiniteStep)) throw error;
      const { loss, gradNorm } = error;
      if (skippedInARow >= skipLimit)
        throw new TrainingDivergedError({ phase: 'step', iter, loss, gradNorm, lr, skippedInARow }, result());
      skipped++;
      skippedInARow++;
      iter++;
      yield { type: 'skip', iter: iter - 1, loss, gradNorm, lr, inARow: skippedInARow } satisfies SkipEvent;
      continue;
    }
    skippedInARow = 0;
    const { loss, gradNorm, tokens } = done;
    const metrics = done.metrics ?? {};
    const stepMs = performance.now() - stepStart;
    trainMs += stepMs;
    trainTokens += tokens;
    smoothMs = Number.isNaN(smoothMs) ? stepMs : 0.9 * smoothMs + 0.1 * stepMs;
    smoothTokens = Number.isNaN(smoothTokens) ? tokens : 0.9 * smoothTokens + 0.1 * tokens;
    history.steps.push([iter, loss]);
    if (Object.keys(metrics).length > 0) (history.stepMetrics ??= []).push([iter, metrics]);
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
      metrics,
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

/** A copy of a resumed history (metric lists only when it has them). */
function copyHistory(h: LossHistory | undefined): LossHistory {
  const history: LossHistory = { steps: [...(h?.steps ?? [])], evals: [...(h?.evals ?? [])] };
  if (h?.stepMetrics) history.stepMetrics = [...h.stepMetrics];
  if (h?.evalMetrics) history.evalMetrics = [...h.evalMetrics];
  return history;
}

/**
 * The default iteration: `gradAccum` micro-batches of the objective, each loss divided by
 * `gradAccum` and backpropagated (the next micro-batch drawn right after the forward pass, as
 * nanoGPT), then one optimizer step.
 */
function objectiveUpdate<B>(objective: Objective<B>, gradAccum: number): Update<B> {
  return async (first, ctx) => {
    let batch = first;
    let lossSum = 0;
    let tokens = 0;
    const sums = new MetricSums();
    for (let micro = 0; micro < gradAccum; micro++) {
      const out = objective(batch);
      tokens += out.tokens;
      if (micro + 1 < gradAccum) batch = ctx.drawBatch();
      lossSum += await out.loss.data.itemAsync();
      sums.add(await readMetrics(out.metrics));
      (gradAccum > 1 ? out.loss.div(gradAccum) : out.loss).backward();
    }
    const loss = lossSum / gradAccum;
    return { loss, gradNorm: await ctx.optimizerStep(loss), tokens, metrics: sums.means() };
  };
}

/**
 * The default evaluation: the mean objective over `evalIters` batches of the training split and of
 * the validation split (fixed batches, or nanoGPT's random ones drawn from the loop's generator —
 * from a copy for the extra evaluation at the end, so that the stream stays the one a longer or a
 * resumed run goes on with). Metrics are named `train_<name>` and `eval_<name>`.
 */
function objectiveEvaluation<B>(
  o: TrainLoopOptions<B>,
  objective: Objective<B>,
  evalIters: number,
): Evaluate {
  return async ({ scheduled }) => {
    const random = (o.evalBatches ?? 'fixed') === 'random';
    const shape = { batchSize: o.batchSize, blockSize: o.blockSize, evalIters };
    const options = random ? { ...shape, generator: scheduled ? o.generator : o.generator.clone() } : shape;
    const train = await estimateObjectiveAsync(o.model, o.train, objective, options);
    const val = o.val && (await estimateObjectiveAsync(o.model, o.val, objective, options));
    const metrics: Metrics = { ...prefixed('train_', train.metrics), ...prefixed('eval_', val?.metrics) };
    return { trainLoss: train.loss, valLoss: val?.loss, metrics };
  };
}

function prefixed(prefix: string, metrics: Metrics | undefined): Metrics {
  return Object.fromEntries(Object.entries(metrics ?? {}).map(([k, v]) => [`${prefix}${k}`, v]));
}
