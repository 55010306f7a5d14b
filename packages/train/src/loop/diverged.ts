import type { TrainResult } from './events.js';

/** Where and how a run diverged: the step or evaluation whose loss (or gradient norm) was not finite. */
export interface Divergence {
  /** `'step'`: a training step (never applied); `'eval'`: an evaluation. */
  phase: 'step' | 'eval';
  /** 0-based index of the step, or the steps taken before the evaluation. */
  iter: number;
  /** The step's loss, or the evaluation's (validation if any, else training) loss. */
  loss: number;
  /** Total gradient norm of the step (NaN for an evaluation). */
  gradNorm: number;
  /** Learning rate of the step (of the last step before an evaluation; NaN before any). */
  lr: number;
  /** Steps skipped in a row before this one (`skipNonFiniteSteps`). */
  skippedInARow?: number;
}

/**
 * Thrown by `pretrain` when a step's loss or gradient norm, or an evaluation's loss, is NaN or
 * infinite. The step was not applied and nothing was checkpointed from the diverged model;
 * `result` is the run up to that point (losses, best validation loss, timings), e.g. to plot it.
 */
export class TrainingDivergedError extends Error {
  override name = 'TrainingDivergedError';
  readonly phase: Divergence['phase'];
  readonly iter: number;
  readonly loss: number;
  readonly gradNorm: number;
  readonly lr: number;

  constructor(
    divergence: Divergence,
    /** The run up to the divergence. */
    readonly result: TrainResult,
  ) {
    const { phase, iter, loss, gradNorm, lr, skippedInARow = 0 } = divergence;
    const at = Number.isNaN(lr) ? '' : `, lr ${lr.toExponential(2)}`;
    super(
      phase === 'step'
        ? `training diverged at iter ${iter} (loss ${loss}, gradient norm ${gradNorm}${at}${
            skippedInARow > 0 ? `, after ${skippedInARow} skipped steps in a row` : ''
          }): stopped before updating the weights`
        : `training diverged: the evaluation after ${iter} steps gave loss ${loss}${at}`,
    );
    this.phase = phase;
    this.iter = iter;
    this.loss = loss;
    this.gradNorm = gradNorm;
    this.lr = lr;
  }
}
