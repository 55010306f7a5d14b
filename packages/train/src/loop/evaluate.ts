import { noGrad } from '@proj/autograd';
import type { Generator, Tensor } from '@proj/tensor';
import type { BatchSource } from '../data/batch-source.js';
import { type MetricValues, metricNumbers, readMetrics } from './metric-values.js';
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
 * `evalIters` batches, without a graph and in eval mode (CPU backends: see
 * {@link estimateObjectiveAsync} for tensors in a device's memory).
 */
export function estimateObjective<B>(
  model: TrainableModule,
  data: BatchSource<B>,
  objective: Objective<B>,
  options: EstimateLossOptions,
): { loss: number; metrics: Metrics } {
  const { losses, metrics } = evaluationLosses(model, data, objective, options);
  let total = 0;
  for (const loss of losses) total += loss.item();
  const sums = new MetricSums();
  for (const values of metrics) sums.add(metricNumbers(values));
  return { loss: total / losses.length, metrics: sums.means() };
}

/** {@link estimateObjective} on any backend: the losses are read asynchronously (from a GPU too). */
export async function estimateObjectiveAsync<B>(
  model: TrainableModule,
  data: BatchSource<B>,
  objective: Objective<B>,
  options: EstimateLossOptions,
): Promise<{ loss: number; metrics: Metrics }> {
  const { losses, metrics } = evaluationLosses(model, data, objective, options);
  let total = 0;
  for (const loss of losses) total += await loss.itemAsync();
  const sums = new MetricSums();
  for (const values of metrics) sums.add(await readMetrics(values));
  return { loss: total / losses.length, metrics: sums.means() };
}

/** The objective's loss tensor and metric values on each of `evalIters` batches, without a graph, in eval mode. */
function evaluationLosses<B>(
  model: TrainableModule,
  data: BatchSource<B>,
  objective: Objective<B>,
  options: EstimateLossOptions,
): { losses: Tensor[]; metrics: MetricValues[] } {
  const { batchSize, blockSize, evalIters, generator } = options;
  if (!(Number.isInteger(evalIters) && evalIters > 0))
    throw new RangeError(`estimateLoss: evalIters must be a positive integer, got ${evalIters}`);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const losses: Tensor[] = [];
      const metrics: MetricValues[] = [];
      for (let k = 0; k < evalIters; k++) {
        const batch = generator
          ? data.randomBatch(batchSize, blockSize, generator)
          : data.evalBatch(k, evalIters, batchSize, blockSize);
        const out = objective(batch);
        losses.push(out.loss.data);
        metrics.push(out.metrics ?? {});
      }
      return { losses, metrics };
    });
  } finally {
    model.train(wasTraining);
  }
}
