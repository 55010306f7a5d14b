import type { SFTDataset } from '../data/sft-dataset.js';
import type { TrainEvent, TrainResult } from './events.js';
import type { TrainableLM } from './model.js';
import { runEvents, type TrainLoopOptions, trainLoopEvents } from './train-loop.js';

/** Options of {@link finetune}: the training loop over supervised examples. */
export interface FinetuneOptions
  extends Omit<TrainLoopOptions, 'blockSize' | 'objective' | 'update' | 'evaluate'> {
  model: TrainableLM;
  /** Training examples. */
  train: SFTDataset;
  /** Validation examples (optional), fitted to the same context as `train`. */
  val?: SFTDataset;
  /** The context the examples were fitted to (default and only value: `train.blockSize`). */
  blockSize?: number;
}

/**
 * Supervised finetuning (TRL's `SFTTrainer`) as an async iterator of progress events: the same
 * loop as pretraining — schedules, gradient accumulation and clipping, evaluations, checkpoints,
 * exact resume, divergence checks — over padded batches of examples whose loss covers only the
 * tokens the dataset marks as learned. With LoRA adapters applied (`applyLoRA` from `@proj/nn`),
 * give the optimizer only the trainable parameters.
 * @throws TrainingDivergedError when the training diverges; RangeError for invalid options.
 * @example
 * for await (const e of finetuneEvents({ model, optimizer, train, val, batchSize: 8, maxIters: 200, generator }))
 *   if (e.type === 'eval') console.log(e.iter, e.valLoss);
 */
export async function* finetuneEvents(
  o: FinetuneOptions,
): AsyncGenerator<TrainEvent, TrainResult, undefined> {
  const blockSize = o.blockSize ?? o.train.blockSize;
  for (const [name, data] of [
    ['train', o.train],
    ['val', o.val],
  ] as const) {
    if (data && data.blockSize !== blockSize)
      throw new RangeError(
        `finetune: the ${name} examples are fitted to a context of ${data.blockSize}, not ${blockSize}`,
      );
  }
  return yield* trainLoopEvents({ ...o, blockSize }, 'finetune');
}

/**
 * Runs {@link finetuneEvents} to the end, handing each event to `onEvent`, and returns the result.
 * @example
 * const data = SFTDataset.fromExamples(parseSFTJsonl(text), { tokenizer, blockSize: model.config.blockSize });
 * await finetune({ model, optimizer, train: data, batchSize: 8, maxIters: 200, generator: new Generator(1) });
 */
export function finetune(
  options: FinetuneOptions & { onEvent?: (event: TrainEvent) => void | Promise<void> },
): Promise<TrainResult> {
  return runEvents(finetuneEvents(options), options.onEvent);
}
