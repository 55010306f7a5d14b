/** Losses recorded during a run, for curves; carried through checkpoints so a resumed run's curve is whole. */
export interface LossHistory {
  /** `[iter, loss]` of every optimizer step. */
  steps: [number, number][];
  /** `[iter, trainLoss, valLoss]` of every evaluation (`valLoss` NaN without a validation set). */
  evals: [number, number, number][];
  /** `[iter, metrics]` of every step that logged metrics (reward model, DPO, PPO, GRPO). */
  stepMetrics?: [number, Record<string, number>][];
  /** `[iter, metrics]` of every evaluation that logged metrics. */
  evalMetrics?: [number, Record<string, number>][];
}

/** Emitted after every optimizer step. */
export interface StepEvent {
  type: 'step';
  /** 0-based index of the step just taken (nanoGPT's `iter_num`). */
  iter: number;
  /** Total steps of the run. */
  maxIters: number;
  /** Training loss of this step (mean over its micro-batches). */
  loss: number;
  /** Learning rate used for this step. */
  lr: number;
  /** Total gradient norm (L2), before clipping. */
  gradNorm: number;
  /** Training throughput, smoothed over recent steps. */
  tokensPerSec: number;
  /** Milliseconds since this run (or resumption) started, evaluations included. */
  elapsedMs: number;
  /** Estimated milliseconds to the end, from the average pace so far. */
  etaMs: number;
  /** What the step logged besides its loss (TRL's names: `rewards/accuracies`, `objective/kl`, …); empty for language models. */
  metrics: Record<string, number>;
}

/**
 * Emitted instead of a `step` event when a step's loss or gradient norm was not finite and the
 * step was skipped (`skipNonFiniteSteps`): no weight and no optimizer state changed.
 */
export interface SkipEvent {
  type: 'skip';
  /** 0-based index of the skipped step. */
  iter: number;
  /** The step's loss (mean over its micro-batches). */
  loss: number;
  /** Total gradient norm (L2). */
  gradNorm: number;
  /** Learning rate the step would have used. */
  lr: number;
  /** Steps skipped in a row, this one included. */
  inARow: number;
}

/** Emitted after each evaluation. */
export interface EvalEvent {
  type: 'eval';
  /** Number of steps taken when the evaluation ran. */
  iter: number;
  /** NaN when the evaluation measured none (PPO and GRPO report metrics only). */
  trainLoss: number;
  /** NaN without a validation set. */
  valLoss: number;
  /** Best validation loss so far (this one included). */
  bestValLoss: number;
  /** Whether this evaluation set a new best. */
  improved: boolean;
  /** What the evaluation measured besides its losses (`eval_rewards/accuracies`, …); empty for language models. */
  metrics: Record<string, number>;
}

/** Emitted after a checkpoint was written. */
export interface CheckpointEvent {
  type: 'checkpoint';
  /** Number of steps taken when it was written. */
  iter: number;
  /** `'best'` (new best validation loss), `'always'`, `'final'`, or `'abort'` (stopped early). */
  reason: 'best' | 'always' | 'final' | 'abort';
}

/** Everything the training loop reports. */
export type TrainEvent = StepEvent | SkipEvent | EvalEvent | CheckpointEvent;

/** What the training loop returns. */
export interface TrainResult {
  /** Steps taken in total (resumed ones included). */
  iters: number;
  /** Whether the run stopped early through its abort signal. */
  aborted: boolean;
  /** Last evaluation's losses (NaN when there was none). */
  finalTrainLoss: number;
  finalValLoss: number;
  /** Best validation loss seen (Infinity when none). */
  bestValLoss: number;
  /** Wall time of this run (or resumption), evaluations included. */
  wallMs: number;
  /** Mean training throughput of this run, evaluations excluded. */
  tokensPerSec: number;
  /** Mean milliseconds per step of this run, evaluations excluded. */
  msPerIter: number;
  /** Steps of this run skipped for a non-finite loss or gradient norm (`skipNonFiniteSteps`). */
  skippedSteps: number;
  history: LossHistory;
}
