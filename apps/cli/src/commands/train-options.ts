import type { CommandSpec } from '../args.js';
import { type LoopArgs, loopOptions } from './loop-options.js';

/** `proj train` options: nanoGPT's names in kebab case, its Shakespeare-char CPU settings as defaults. */
export interface TrainArgs extends LoopArgs {
  data: string;
  allowBinary: boolean;
  tokenizer: string;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  dropout: number;
  bias: boolean;
  generator: string;
  evalBatches: string;
  sampleTokens: number;
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
    { name: 'dropout', type: 'number', default: 0, value: '<p>', min: 0, help: 'Dropout probability' },
    { name: 'bias', type: 'boolean', default: false, help: 'Biases in Linear and LayerNorm layers' },
    ...loopOptions({
      batchSize: 12,
      maxIters: 2000,
      lr: 1e-3,
      minLr: 1e-4,
      warmupIters: 100,
      lrDecayIters: 2000,
      beta2: 0.99,
      weightDecay: 0.1,
      evalInterval: 250,
      evalIters: 20,
    }),
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
    {
      name: 'sample-tokens',
      type: 'int',
      default: 500,
      value: '<n>',
      min: 0,
      help: 'Tokens to sample at the end',
    },
  ],
  notes: [
    "Defaults are nanoGPT's Shakespeare-char CPU run. With --generator torch (default) and --eval-batches random (default), --seed n draws exactly what nanoGPT's train.py draws after torch.manual_seed(n): the same initial weights, training batches and evaluation batches (dropout masks excepted).",
    'With --data <tinyshakespeare.txt> it reaches val loss 1.8857 in 2000 steps (nanoGPT: 1.886).',
    'Ctrl-C (or SIGTERM) stops after the current step and writes a checkpoint; --resume continues it exactly.',
    'A non-finite loss stops the run before it changes the weights: the last checkpoint stays, metrics.json and loss.svg are written.',
  ],
};
