import { noGrad } from '@proj/autograd';
import type { Generator } from '@proj/tensor';
import { AdamW, clipGradNorm, cosineWithWarmup, decayParamGroups } from '@proj/train';
import { type EncodedPair, epochBatches, lengthSortedChunks, makeBatch, type SpecialIds } from './batches.js';
import type { AnyModel } from './models.js';

/** Optimisation settings, the same for every model of a run. */
export interface TrainOptions {
  steps: number;
  batchSize: number;
  /** Peak learning rate of AdamW (β = 0.9, 0.98), reached after `warmup` steps, then cosine to lr/10. */
  lr: number;
  warmup: number;
  weightDecay: number;
  /** Gradient clipping (max global norm). */
  clip: number;
  labelSmoothing: number;
  /** Evaluate the validation loss every this many steps (and at the end). */
  evalEvery: number;
  generator: Generator;
  /** Called after every step and evaluation. */
  onProgress?: (progress: TrainProgress) => void;
}

/** What {@link trainModel} reports while it runs. */
export interface TrainProgress {
  step: number;
  loss: number;
  /** Validation loss, on evaluation steps. */
  validLoss?: number;
  /** Training seconds so far (evaluations excluded). */
  seconds: number;
}

/** One evaluation on the learning curve. */
export interface CurvePoint {
  step: number;
  /** Training seconds before this evaluation (evaluations excluded). */
  seconds: number;
  trainLoss: number;
  validLoss: number;
}

/** The outcome of {@link trainModel}. */
export interface TrainResult {
  steps: number;
  /** Wall time of the training steps (forward, backward, clipping, update), evaluations excluded. */
  seconds: number;
  /** Real source + target tokens per training second. */
  tokensPerSecond: number;
  examplesPerSecond: number;
  curve: CurvePoint[];
}

/**
 * Trains `model` on `train` for `options.steps` AdamW steps (epochs of length-bucketed batches,
 * warmup then cosine decay, weight decay on matrices only, gradient clipping, label smoothing),
 * evaluating the validation loss every `evalEvery` steps. Timing covers the steps only.
 */
export function trainModel(
  model: AnyModel,
  train: readonly EncodedPair[],
  valid: readonly EncodedPair[],
  ids: SpecialIds,
  options: TrainOptions,
): TrainResult {
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), options.weightDecay), {
    lr: options.lr,
    betas: [0.9, 0.98],
  });
  const schedule = cosineWithWarmup({
    lr: options.lr,
    minLr: options.lr / 10,
    warmupIters: options.warmup,
    lrDecayIters: options.steps,
  });
  const curve: CurvePoint[] = [];
  let seconds = 0;
  let tokens = 0;
  let examples = 0;
  let recent: number[] = [];
  let queue: number[][] = [];
  const evaluate = (step: number) => {
    const validLoss = validationLoss(model, valid, ids, options.batchSize);
    const trainLoss = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : Number.NaN;
    curve.push({ step, seconds, trainLoss, validLoss });
    recent = [];
    options.onProgress?.({ step, loss: trainLoss, validLoss, seconds });
  };
  evaluate(0);
  for (let step = 0; step < options.steps; step++) {
    if (queue.length === 0) queue = epochBatches(train, options.batchSize, options.generator);
    const batch = makeBatch(
      queue.pop()!.map((i) => train[i]!),
      ids,
    );
    const started = performance.now();
    model.train();
    for (const group of optimizer.paramGroups) group.lr = schedule(step);
    optimizer.zeroGrad();
    const loss = model.loss(batch.src, batch.tgtIn, batch.tgtOut, { labelSmoothing: options.labelSmoothing });
    loss.backward();
    clipGradNorm(model.parameters(), options.clip);
    optimizer.step();
    const value = loss.item();
    seconds += (performance.now() - started) / 1000;
    if (!Number.isFinite(value)) throw new Error(`training diverged: the loss is ${value} at step ${step}`);
    tokens += batch.tokens;
    examples += batch.src.shape[0]!;
    recent.push(value);
    options.onProgress?.({ step: step + 1, loss: value, seconds });
    if ((step + 1) % options.evalEvery === 0 || step + 1 === options.steps) evaluate(step + 1);
  }
  return {
    steps: options.steps,
    seconds,
    tokensPerSecond: tokens / seconds,
    examplesPerSecond: examples / seconds,
    curve,
  };
}

/** Mean cross-entropy per target token over `pairs` (teacher forcing, eval mode, no label smoothing). */
export function validationLoss(
  model: AnyModel,
  pairs: readonly EncodedPair[],
  ids: SpecialIds,
  batchSize: number,
): number {
  model.eval();
  let total = 0;
  let count = 0;
  noGrad(() => {
    for (const chunk of lengthSortedChunks(pairs.length, batchSize, (i) => pairs[i]!.src.length)) {
      const batch = makeBatch(
        chunk.map((i) => pairs[i]!),
        ids,
      );
      const targets = chunk.reduce((n, i) => n + pairs[i]!.tgt.length + 1, 0);
      total += model.loss(batch.src, batch.tgtIn, batch.tgtOut).item() * targets;
      count += targets;
    }
  });
  return count ? total / count : Number.NaN;
}
