import { totalmem } from 'node:os';
import type { GPTConfig } from '@proj/nn';
import type { TokenDataset, TrainProgress } from '@proj/train';
import { UsageError } from '../args.js';
import { CliError } from '../io.js';
import { checkLoopArgs } from './loop-options.js';
import { TRAIN_SPEC, type TrainArgs } from './train-options.js';

/** Option values that make no sense whatever the data. @throws UsageError naming the option. */
export function checkArgs(a: TrainArgs): void {
  const fail = (message: string) => {
    throw new UsageError(message, TRAIN_SPEC);
  };
  if (a.nEmbd % a.nHead !== 0) fail(`--n-embd ${a.nEmbd} must be divisible by --n-head ${a.nHead}`);
  if (a.generator !== 'torch' && a.generator !== 'xoshiro')
    fail(`--generator must be torch or xoshiro, got '${a.generator}'`);
  if (a.evalBatches !== 'random' && a.evalBatches !== 'fixed')
    fail(`--eval-batches must be random or fixed, got '${a.evalBatches}'`);
  if (a.dropout >= 1) fail(`--dropout must be below 1, got ${a.dropout}`);
  checkLoopArgs(a, TRAIN_SPEC);
}

/** Options a checkpoint fixes: the model shape (`config.model`), the tokenizer and generator (`config.train`). */
const FIXED_BY_CHECKPOINT = [
  ['nLayer', 'n-layer', 'model'],
  ['nHead', 'n-head', 'model'],
  ['nEmbd', 'n-embd', 'model'],
  ['blockSize', 'block-size', 'model'],
  ['dropout', 'dropout', 'model'],
  ['bias', 'bias', 'model'],
  ['tokenizer', 'tokenizer', 'train'],
  ['seed', 'seed', 'train'],
  ['generator', 'generator', 'train'],
] as const;

/**
 * With `--resume`, the options the checkpoint fixes may be given only with the checkpoint's values
 * (the same command line plus `--resume` works); every other option applies to the resumed run.
 * @throws UsageError naming the option, its value and the checkpoint's.
 */
export function checkResumeOptions(
  a: TrainArgs,
  given: ReadonlySet<string>,
  config: Record<string, unknown>,
): void {
  for (const [key, flag, part] of FIXED_BY_CHECKPOINT) {
    const saved = (config[part] as Record<string, unknown> | undefined)?.[key];
    if (given.has(key) && saved !== undefined && saved !== a[key])
      throw new UsageError(
        `--${flag} ${a[key]} differs from the checkpoint's ${saved}: with --resume, the model shape, tokenizer and generator come from the checkpoint`,
        TRAIN_SPEC,
      );
  }
}

/** @throws CliError unless both splits hold a block of `blockSize` tokens plus its target. */
export function checkDataFits(data: string, train: TokenDataset, val: TokenDataset, blockSize: number): void {
  if (Math.min(train.length, val.length) < blockSize + 1)
    throw new CliError(
      `--data ${data} is too short for block size ${blockSize}: its ${train.length + val.length} tokens split into ${train.length} for training and ${val.length} for validation, and each needs at least ${blockSize + 1}`,
    );
}

/**
 * Refuses a run that cannot fit in this machine's memory before allocating any of it, from a lower
 * bound: 16 bytes per float32 parameter (weights, gradients, two AdamW moments) and 8 per logit
 * of a batch (the logits and their gradient).
 * @throws CliError with the estimate.
 */
export function checkMemory(c: GPTConfig, batchSize: number, memoryBytes = totalmem()): void {
  const parameters = 12 * c.nLayer * c.nEmbd * c.nEmbd + (c.vocabSize + c.blockSize) * c.nEmbd;
  const bytes = 16 * parameters + 8 * batchSize * c.blockSize * c.vocabSize;
  if (bytes > memoryBytes)
    throw new CliError(
      `a GPT with ${c.nLayer} layers of width ${c.nEmbd}, block size ${c.blockSize} and ${c.vocabSize} tokens (${(parameters / 1e6).toFixed(0)}M parameters), trained on batches of ${batchSize}, needs at least ${(bytes / 2 ** 30).toFixed(1)} GiB, more than this machine's ${(memoryBytes / 2 ** 30).toFixed(1)} GiB`,
    );
}

/** What a resumed run starts from: the checkpoint's progress, and why it may not replay exactly. */
export interface ResumePlan {
  resume: Pick<TrainProgress, 'iter' | 'bestValLoss' | 'history' | 'nextBatch'>;
  /** Set when the batch the checkpoint drew for the next step is dropped (another batch size or data). */
  note?: string;
}

/**
 * Keeps the checkpoint's next batch only if it was drawn for this batch size and these tokens;
 * otherwise a fresh one is drawn (the run goes on, but no longer as an uninterrupted one).
 * @throws CliError for a next batch that does not fit the same data (a forged `state.json`).
 */
export function planResume(
  resume: ResumePlan['resume'],
  o: {
    batchSize: number;
    blockSize: number;
    train: TokenDataset;
    tokens: number;
    savedTokens: unknown;
    stateFile: string;
  },
): ResumePlan {
  const next = resume.nextBatch;
  if (!next) return { resume };
  const afresh = 'the next batch is drawn afresh, so the run no longer replays an uninterrupted one';
  if (next.length !== o.batchSize)
    return {
      resume: { ...resume, nextBatch: null },
      note: `--batch-size ${o.batchSize} differs from the checkpoint's ${next.length}: ${afresh}`,
    };
  if (o.savedTokens !== o.tokens)
    return {
      resume: { ...resume, nextBatch: null },
      note: `--data has ${o.tokens} tokens, the checkpoint's data had ${o.savedTokens}: ${afresh}`,
    };
  const outside = next.find((i) => i + o.blockSize >= o.train.length);
  if (outside !== undefined)
    throw new CliError(
      `${o.stateFile}: "nextBatch" offset ${outside} does not fit the ${o.train.length} training tokens with block size ${o.blockSize}`,
    );
  return { resume };
}
