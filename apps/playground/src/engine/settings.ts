import { GPT_DEFAULTS, type GPTConfig } from '@proj/nn';

/** The tokenizer of a run: the corpus's characters, or a byte-level BPE of `vocabSize` trained on it. */
export type TokenizerChoice = { kind: 'char' } | { kind: 'bpe'; vocabSize: number };

/** The shape of the GPT to train. */
export interface ModelShape {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  /** Context length in tokens. */
  blockSize: number;
}

/** Model sizes offered on the page; `small` is `proj train`'s default model. */
export const MODEL_SIZES = {
  tiny: { nLayer: 2, nHead: 2, nEmbd: 64, blockSize: 32 },
  small: { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64 },
  medium: { nLayer: 6, nHead: 6, nEmbd: 192, blockSize: 128 },
} as const satisfies Record<string, ModelShape>;

/** A name of {@link MODEL_SIZES}. */
export type ModelSize = keyof typeof MODEL_SIZES;

/** Everything a training run takes besides the corpus: nanoGPT's names, `proj train`'s defaults. */
export interface TrainSettings {
  tokenizer: TokenizerChoice;
  model: ModelShape;
  /** Optimizer steps in all (the cosine schedule decays to `lr / 10` at the last one). */
  maxIters: number;
  /** Peak learning rate, reached after `warmupIters`. */
  lr: number;
  warmupIters: number;
  /** Windows per step. */
  batchSize: number;
  /** Evaluate train and val loss every this many steps (and at the end). */
  evalInterval: number;
  /** Batches per evaluation and split. */
  evalIters: number;
  /** Seed of initialisation and batches (PyTorch's generator, as `proj train`). */
  seed: number;
}

/** The page's defaults: `proj train`'s model and optimizer on a shorter run. */
export const DEFAULT_SETTINGS: TrainSettings = {
  tokenizer: { kind: 'char' },
  model: MODEL_SIZES.small,
  maxIters: 500,
  lr: 1e-3,
  warmupIters: 50,
  batchSize: 12,
  evalInterval: 50,
  evalIters: 10,
  seed: 1337,
};

/** Why the settings cannot start a run, one message per problem (empty when they can). */
export function settingsProblems(s: TrainSettings): string[] {
  const problems: string[] = [];
  const positiveInteger = (name: string, value: number) => {
    if (!(Number.isInteger(value) && value > 0))
      problems.push(`${name} must be a positive integer, got ${value}`);
  };
  for (const key of ['nLayer', 'nHead', 'nEmbd', 'blockSize'] as const) positiveInteger(key, s.model[key]);
  for (const key of ['maxIters', 'batchSize', 'evalInterval', 'evalIters'] as const)
    positiveInteger(key, s[key]);
  if (s.model.nEmbd % s.model.nHead !== 0)
    problems.push(`nEmbd ${s.model.nEmbd} is not divisible by nHead ${s.model.nHead}`);
  if (!(s.lr > 0 && s.lr < 1)) problems.push(`the learning rate must be in (0, 1), got ${s.lr}`);
  if (!(Number.isInteger(s.warmupIters) && s.warmupIters >= 0 && s.warmupIters < s.maxIters))
    problems.push(`warmupIters must be an integer in [0, maxIters), got ${s.warmupIters}`);
  if (!Number.isSafeInteger(s.seed)) problems.push(`the seed must be an integer, got ${s.seed}`);
  if (
    s.tokenizer.kind === 'bpe' &&
    !(Number.isInteger(s.tokenizer.vocabSize) && s.tokenizer.vocabSize >= 256)
  )
    problems.push(`a BPE vocabulary needs at least 256 tokens (the bytes), got ${s.tokenizer.vocabSize}`);
  return problems;
}

/** The GPT a run trains: the shape, no biases, no dropout, exact GELU (as `proj train`). */
export function gptConfigOf(shape: ModelShape, vocabSize: number): GPTConfig {
  return { ...GPT_DEFAULTS, ...shape, vocabSize, dropout: 0, bias: false, geluApproximate: 'none' };
}

/** A short label for a tokenizer choice: `char` or `bpe:512` (as `proj train --tokenizer`). */
export function tokenizerLabel(choice: TokenizerChoice): string {
  return choice.kind === 'char' ? 'char' : `bpe:${choice.vocabSize}`;
}

/** What the page's controls set; the rest of a run's settings follow from them. */
export interface Controls {
  tokenizer: TokenizerChoice;
  size: ModelSize;
  maxIters: number;
  lr: number;
  batchSize: number;
}

/**
 * A run's settings from the page's controls: {@link DEFAULT_SETTINGS} with warmup over the first tenth
 * of the steps (at most 50) and about five evaluations (at least every 50 steps).
 */
export function settingsOf(c: Controls): TrainSettings {
  return {
    ...DEFAULT_SETTINGS,
    tokenizer: c.tokenizer,
    model: MODEL_SIZES[c.size],
    maxIters: c.maxIters,
    lr: c.lr,
    batchSize: c.batchSize,
    warmupIters: Math.min(DEFAULT_SETTINGS.warmupIters, Math.floor(c.maxIters / 10)),
    evalInterval: Math.max(1, Math.min(DEFAULT_SETTINGS.evalInterval, Math.floor(c.maxIters / 5))),
  };
}
