import type { TokenDataset } from '../data/token-dataset.js';
import type { TrainEvent, TrainResult } from './events.js';
import type { TrainableLM } from './model.js';
import { runEvents, type TrainLoopOptions, trainLoopEvents } from './train-loop.js';

/** Options of {@link pretrain}: the training loop over windows of a token stream. */
export interface PretrainOptions extends Omit<TrainLoopOptions, 'objective' | 'update' | 'evaluate'> {
  model: TrainableLM;
  /** Training tokens. */
  train: TokenDataset;
  /** Validation tokens (optional; without them evaluations report only the training loss). */
  val?: TokenDataset;
}

/**
 * Pretraining as an async iterator of progress events: the training loop (nanoGPT's `train.py`)
 * over random windows of `blockSize` tokens and their next tokens.
 * @throws TrainingDivergedError when the training diverges; RangeError for invalid options.
 * @example
 * for await (const e of pretrainEvents(options)) if (e.type === 'eval') console.log(e.iter, e.valLoss);
 */
export function pretrainEvents(o: PretrainOptions): AsyncGenerator<TrainEvent, TrainResult, undefined> {
  return trainLoopEvents(o, 'pretrain');
}

/**
 * Runs {@link pretrainEvents} to the end, handing each event to `onEvent` (awaited, so a caller
 * may render or yield to the event loop), and returns the result.
 *
 * @example
 * const result = await pretrain({ model, optimizer, train, val, batchSize: 12, blockSize: 64,
 *   maxIters: 2000, generator: new Generator(1337), onEvent: (e) => e.type === 'eval' && draw(e) });
 */
export function pretrain(
  options: PretrainOptions & { onEvent?: (event: TrainEvent) => void | Promise<void> },
): Promise<TrainResult> {
  return runEvents(pretrainEvents(options), options.onEvent);
}
