import { availableParallelism } from 'node:os';
import type { CommandSpec } from '../args.js';

/** `proj train` options: nanoGPT's names in kebab case, its Shakespeare-char CPU settings as defaults. */
export interface TrainArgs {
  data: string;
  tokenizer: string;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  batchSize: number;
  dropout: number;
  bias: boolean;
  maxIters: number;
  lr: number;
  minLr: number;
  warmupIters: number;
  lrDecayIters: number;
  decayLr: boolean;
  beta1: number;
  beta2: number;
  weightDecay: number;
  gradClip: number;
  gradAccum: number;
  evalInterval: number;
  evalIters: number;
  logInterval: number;
  alwaysSaveCheckpoint: boolean;
  seed: number;
  generator: string;
  evalBatches: string;
  out: string | undefined;
  resume: boolean;
  sampleTokens: number;
  skipNonfiniteSteps: number;
  allowBinary: boolean;
  /** Unset: {@link defaultThreads}. */
  threads: number | undefined;
}

/** Most threads `proj train` starts without `--threads`. */
const MAX_DEFAULT_THREADS = 4;

/**
 * Threads without `--threads`: one per core, as PyTorch, up to {@link MAX_DEFAULT_THREADS} (the
 * default model is small: more threads than that mostly wait for one another).
 */
export function defaultThreads(): number {
  return Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
}

/** The spec behind `proj train --help`. */
export const TRAIN_SPEC: CommandSpec = {
  name: 'train',
  summary:
    'Pretrain a GPT from scratch on a corpus, as nanoGPT train.py: AdamW, cosine LR with warmup, gradient clipping, periodic evaluation, checkpoints. Writes the checkpoint, metrics.json, loss.svg and sample.txt into --out and prints a sample.',
  options: [
    {
      name: 'data',
      type: 'string',
      default: 'sotu',
      value: 'sotu|<path>',
      help: 'Corpus: State of the Union addresses, or a UTF-8 text file',
    },
    {
      name: 'allow-binary',
      type: 'boolean',
      default: false,
      help: 'Train on --data even when it does not look like UTF-8 text',
    },
    {
      name: 'tokenizer',
      type: 'string',
      default: 'char',
      value: 'char|bpe:<n>',
      help: 'Characters, or byte-level BPE trained to n tokens',
    },
    { name: 'n-layer', type: 'int', default: 4, value: '<n>', min: 1, help: 'Transformer blocks' },
    { name: 'n-head', type: 'int', default: 4, value: '<n>', min: 1, help: 'Attention heads' },
    { name: 'n-embd', type: 'int', default: 128, value: '<n>', min: 1, help: 'Embedding width' },
    { name: 'block-size', type: 'int', default: 64, value: '<n>', min: 1, help: 'Context length in tokens' },
    { name: 'batch-size', type: 'int', default: 12, value: '<n>', min: 1, help: 'Sequences per micro-batch' },
    { name: 'dropout', type: 'number', default: 0, value: '<p>', min: 0, help: 'Dropout probability' },
    { name: 'bias', type: 'boolean', default: false, help: 'Biases in Linear and LayerNorm layers' },
    { name: 'max-iters', type: 'int', default: 2000, value: '<n>', min: 0, help: 'Optimizer steps in all' },
    { name: 'lr', type: 'number', default: 1e-3, value: '<x>', min: 0, help: 'Peak learning rate' },
    {
      name: 'min-lr',
      type: 'number',
      default: 1e-4,
      value: '<x>',
      min: 0,
      help: 'Learning rate at the end of the decay',
    },
    { name: 'warmup-iters', type: 'int', default: 100, value: '<n>', min: 0, help: 'Linear warmup steps' },
    {
      name: 'lr-decay-iters',
      type: 'int',
      default: 2000,
      value: '<n>',
      min: 1,
      help: 'Step at which the cosine reaches --min-lr',
    },
    {
      name: 'decay-lr',
      type: 'boolean',
      default: true,
      help: 'Warmup + cosine decay (--no-decay-lr: constant --lr)',
    },
    { name: 'beta1', type: 'number', default: 0.9, value: '<x>', min: 0, help: 'AdamW beta1' },
    { name: 'beta2', type: 'number', default: 0.99, value: '<x>', min: 0, help: 'AdamW beta2' },
    {
      name: 'weight-decay',
      type: 'number',
      default: 0.1,
      value: '<x>',
      min: 0,
      help: 'AdamW decoupled weight decay (matrices only)',
    },
    {
      name: 'grad-clip',
      type: 'number',
      default: 1,
      value: '<x>',
      min: 0,
      help: 'Clip the gradient norm (0: off)',
    },
    { name: 'grad-accum', type: 'int', default: 1, value: '<n>', min: 1, help: 'Micro-batches per step' },
    {
      name: 'skip-nonfinite-steps',
      type: 'int',
      default: 0,
      value: '<n>',
      min: 0,
      help: 'Skip up to n steps in a row whose loss or gradient norm is NaN or infinite (no update), then stop (0: stop at the first)',
    },
    {
      name: 'eval-interval',
      type: 'int',
      default: 250,
      value: '<n>',
      min: 1,
      help: 'Evaluate every n steps',
    },
    {
      name: 'eval-iters',
      type: 'int',
      default: 20,
      value: '<n>',
      min: 1,
      help: 'Batches per evaluation and split',
    },
    {
      name: 'log-interval',
      type: 'int',
      default: 10,
      value: '<n>',
      min: 1,
      help: 'Steps between log lines when not on a terminal',
    },
    {
      name: 'always-save-checkpoint',
      type: 'boolean',
      default: false,
      help: 'Checkpoint at every evaluation, not only on a new best',
    },
    {
      name: 'seed',
      type: 'int',
      default: 1337,
      value: '<n>',
      help: 'Seed of initialisation, batches and dropout (with --generator torch: torch.manual_seed(n))',
    },
    {
      name: 'generator',
      type: 'string',
      default: 'torch',
      value: 'torch|xoshiro',
      help: "Random numbers: PyTorch's CPU generator (nanoGPT's init and batches) or xoshiro128**",
    },
    {
      name: 'eval-batches',
      type: 'string',
      default: 'random',
      value: 'random|fixed',
      help: 'Evaluate on random batches from the generator (nanoGPT) or fixed, evenly spread windows',
    },
    {
      name: 'out',
      type: 'string',
      value: '<dir>',
      help: 'Output directory (default: runs/<data>-<tokenizer>)',
    },
    { name: 'resume', type: 'boolean', default: false, help: 'Continue the run checkpointed in --out' },
    {
      name: 'sample-tokens',
      type: 'int',
      default: 500,
      value: '<n>',
      min: 0,
      help: 'Tokens to sample at the end',
    },
    {
      name: 'threads',
      type: 'int',
      value: '<n>',
      min: 1,
      help: `Threads for matrix products and attention (default: one per core, at most ${MAX_DEFAULT_THREADS}; results are identical on any count)`,
    },
  ],
  notes: [
    "Defaults are nanoGPT's Shakespeare-char CPU run. With --generator torch (default) and --eval-batches random (default), --seed n draws exactly what nanoGPT's train.py draws after torch.manual_seed(n): the same initial weights, training batches and evaluation batches (dropout masks excepted).",
    'With --data <tinyshakespeare.txt> it reaches val loss 1.8857 in 2000 steps (nanoGPT: 1.886).',
    'Ctrl-C (or SIGTERM) stops after the current step and writes a checkpoint; --resume continues it exactly.',
    'A non-finite loss stops the run before it changes the weights: the last checkpoint stays, metrics.json and loss.svg are written.',
  ],
};
