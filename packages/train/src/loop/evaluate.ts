import { noGrad } from '@proj/autograd';
import type { Generator } from '@proj/tensor';
import type { BatchSource } from '../data/batch-source.js';
import { lossOf, type TrainableLM } from './model.js';

/** Options of {@link estimateLoss}. */
export interface EstimateLossOptions {
  /** Windows per batch. */
  batchSize: number;
  /** Tokens per window. */
  blockSize: number;
  /** Number of batches to average over (nanoGPT's `eval_iters`). */
  evalIters: number;
  /**
   * Draw random batches from this generator, as nanoGPT's `estimate_loss` (`get_batch` per batch),
   * instead of the fixed evaluation windows.
   */
  generator?: Generator;
}

/**
 * Mean loss of `model` over `evalIters` batches of `data`, computed without a graph and in eval
 * mode; the model's mode is restored afterwards. nanoGPT's `estimate_loss` for one split. The
 * batches are the fixed evaluation windows (`TokenDataset.evalBatch`: every evaluation sees the
 * same tokens and draws nothing), or with a `generator` random ones drawn from it, as nanoGPT.
 *
 * @example const val = estimateLoss(model, valData, { batchSize: 12, blockSize: 64, evalIters: 20 });
 */
export function estimateLoss(model: TrainableLM, data: BatchSource, options: EstimateLossOptions): number {
  const { batchSize, blockSize, evalIters, generator } = options;
  if (!(Number.isInteger(evalIters) && evalIters > 0))
    throw new RangeError(`estimateLoss: evalIters must be a positive integer, got ${evalIters}`);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let total = 0;
      for (let k = 0; k < evalIters; k++) {
        const { x, y } = generator
          ? data.randomBatch(batchSize, blockSize, generator)
          : data.evalBatch(k, evalIters, batchSize, blockSize);
        total += lossOf(model, x, y).item();
      }
      return total / evalIters;
    });
  } finally {
    model.train(wasTraining);
  }
}
