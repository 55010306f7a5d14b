import { noGrad } from '@proj/autograd';
import type { TokenDataset } from '../data/token-dataset.js';
import { lossOf, type TrainableLM } from './model.js';

/** Options of {@link estimateLoss}. */
export interface EstimateLossOptions {
  /** Windows per batch. */
  batchSize: number;
  /** Tokens per window. */
  blockSize: number;
  /** Number of batches to average over (nanoGPT's `eval_iters`). */
  evalIters: number;
}

/**
 * Mean loss of `model` over the `evalIters` fixed evaluation batches of `data` (see
 * `TokenDataset.evalBatch`), computed without a graph and in eval mode; the model's mode is
 * restored afterwards. nanoGPT's `estimate_loss` for one split.
 *
 * @example const val = estimateLoss(model, valData, { batchSize: 12, blockSize: 64, evalIters: 20 });
 */
export function estimateLoss(model: TrainableLM, data: TokenDataset, options: EstimateLossOptions): number {
  const { batchSize, blockSize, evalIters } = options;
  if (!(Number.isInteger(evalIters) && evalIters > 0))
    throw new RangeError(`estimateLoss: evalIters must be a positive integer, got ${evalIters}`);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let total = 0;
      for (let k = 0; k < evalIters; k++) {
        const { x, y } = data.evalBatch(k, evalIters, batchSize, blockSize);
        total += lossOf(model, x, y).item();
      }
      return total / evalIters;
    });
  } finally {
    model.train(wasTraining);
  }
}
