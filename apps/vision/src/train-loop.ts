import type { Variable } from '@proj/autograd';
import type { Module } from '@proj/nn';
import { AdamW, clipGradNorm, cosineWithWarmup, decayParamGroups } from '@proj/train';

/** Options of {@link trainSteps}. */
export interface TrainStepsOptions {
  /** Optimizer steps. */
  steps: number;
  /** Peak learning rate of the warmup + cosine schedule (down to a tenth of it). */
  lr: number;
  /** Warmup steps (default 5% of the steps). */
  warmup?: number;
  /** AdamW weight decay on matrices and kernels (default 0.05). */
  weightDecay?: number;
  /** Clip the gradient norm to this (default 1). */
  clip?: number;
  /** Receives a progress line every `logEvery` steps and at the end. */
  log: (line: string) => void;
  /** Default: 10 lines over the run. */
  logEvery?: number;
}

/** What {@link trainSteps} measured. */
export interface TrainReport {
  seconds: number;
  /** Examples (images) per second over the whole run. */
  itemsPerSecond: number;
  /** Mean loss of the last tenth of the steps. */
  finalLoss: number;
}

/**
 * AdamW steps on `model` (warmup, cosine decay, gradient clipping): `lossAt(step)` builds the loss of
 * one batch and says how many examples it held.
 */
export function trainSteps(
  model: Module,
  lossAt: (step: number) => { loss: Variable; items: number },
  options: TrainStepsOptions,
): TrainReport {
  const { steps, lr, weightDecay = 0.05, clip = 1 } = options;
  const warmup = options.warmup ?? Math.max(1, Math.round(steps * 0.05));
  const schedule = cosineWithWarmup({
    lr,
    minLr: lr / 10,
    warmupIters: warmup,
    lrDecayIters: Math.max(steps, warmup + 1),
  });
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), weightDecay), { lr });
  const logEvery = options.logEvery ?? Math.max(1, Math.ceil(steps / 10));
  model.train();
  const start = performance.now();
  let items = 0;
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    for (const group of optimizer.paramGroups) group.lr = schedule(step);
    optimizer.zeroGrad();
    const batch = lossAt(step);
    batch.loss.backward();
    clipGradNorm(model.parameters(), clip);
    optimizer.step();
    items += batch.items;
    losses.push(batch.loss.item());
    if ((step + 1) % logEvery === 0 || step + 1 === steps) {
      const seconds = (performance.now() - start) / 1000;
      const recent = losses.slice(-logEvery);
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      options.log(
        `  step ${step + 1}/${steps}  loss ${mean.toFixed(4)}  ${(items / seconds).toFixed(0)} images/s  ${seconds.toFixed(0)} s`,
      );
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const tail = losses.slice(-Math.max(1, Math.floor(steps / 10)));
  return {
    seconds,
    itemsPerSecond: items / seconds,
    finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
  };
}
