import { noGrad } from '@proj/autograd';
import type { Generator } from '@proj/tensor';
import type { BatchSource } from '../data/batch-source.js';
import type { TrainableLM, TrainableModule } from './model.js';
import { languageModelObjective, MetricSums, type Metrics, type Objective } from './objective.js';

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
  return estimateObjective(model, data, languageModelObjective(model), options).loss;
}

/**
 * {@link estimateLoss} for any objective: the mean loss and the mean of each metric over
 * `evalIters` batches, without a graph and in eval mode.
 */
export function estimateObjective<B>(
  model: TrainableModule,
  data: BatchSource<B>,
  objective: Objective<B>,
  options: EstimateLossOptions,
): { loss: number; metrics: Metrics } {
  const { batchSize, blockSize, evalIters, generator } = options;
  if (!(Number.isInteger(evalIters) && evalIters > 0))
    throw new RangeError(`estimateLoss: evalIters must be a positive integer, got ${evalIters}`);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let total = 0;
      const sums = new MetricSums();
      for (let k = 0; k < evalIters; k++) {
        const batch = generator
          ? data.randomBatch(batchSize, blockSize, generator)
          : data.evalBatch(k, evalIters, batchSize, blockSize);
        const out = objective(batch);
        total += out.loss.item();
        sums.add(out.metrics);
      }
      return { loss: total / evalIters, metrics: sums.means() };
    });
  } finally {
    model.train(wasTraining);
  }
}
