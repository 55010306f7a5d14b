import type { Generator } from '@proj/tensor';
import type { Batch } from './token-dataset.js';

/**
 * Where the training loops draw batches from: {@link TokenDataset} (windows of a token stream, for
 * pretraining), {@link SFTDataset} (padded examples, for finetuning), preference pairs (reward
 * models, DPO) and prompts (PPO, GRPO). A batch is named by its "offsets" (window starts, or
 * example indices), so a checkpoint can hold the next batch exactly.
 */
export interface BatchSource<B = Batch> {
  /** `batchSize` offsets drawn from `generator` (the batch is `batchAt(offsets, blockSize)`). */
  randomOffsets(batchSize: number, blockSize: number, generator: Generator): number[];
  /** The batch the offsets name. @throws RangeError for an offset outside the data. */
  batchAt(offsets: readonly number[], blockSize: number): B;
  /** `batchAt(randomOffsets(…))`. */
  randomBatch(batchSize: number, blockSize: number, generator: Generator): B;
  /** The `index`-th of `count` fixed evaluation batches (the same ones every evaluation, no draws). */
  evalBatch(index: number, count: number, batchSize: number, blockSize: number): B;
}

/**
 * Example indices of the `index`-th of `count` fixed evaluation batches over a set of `length`
 * examples: spread evenly over the set, so every evaluation sees the same examples and draws nothing.
 * @throws RangeError (named by `op`) for an index outside [0, count)
 */
export function evalBatchIndices(
  op: string,
  index: number,
  count: number,
  batchSize: number,
  length: number,
): number[] {
  if (!(Number.isInteger(index) && index >= 0 && index < count))
    throw new RangeError(`${op}: index ${index} outside [0, ${count})`);
  const total = count * batchSize;
  return Array.from({ length: batchSize }, (_, b) => Math.floor(((index * batchSize + b) * length) / total));
}
