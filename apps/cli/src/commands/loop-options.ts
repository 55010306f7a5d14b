import { availableParallelism } from 'node:os';
import type { Module } from '@proj/nn';
import type { Generator } from '@proj/tensor';
import { enableThreads, enableWebGPU } from '@proj/tensor/node';
import { serializeTokenizer, type Tokenizer } from '@proj/tokenizers';
import {
  AdamW,
  constantLR,
  cosineWithWarmup,
  createCheckpointAsync,
  decayParamGroups,
  type LRSchedule,
  type OptimizerLike,
  type restoreCheckpoint,
  type StatefulOptimizer,
  type TrainProgress,
} from '@proj/train';
import { saveCheckpoint } from '@proj/train/node';
import { type CommandSpec, type OptionSpec, UsageError } from '../args.js';
import { useHostBackend } from '../host-model.js';
import { CliError } from '../io.js';

/**
 * The options every training command shares (`proj train`, `finetune`, `reward-model`, `dpo`, `ppo`,
 * `grpo`): the optimizer, the schedule, evaluations, the run and where it computes.
 */
export interface LoopArgs {
  batchSize: number;
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
  skipNonfiniteSteps: number;
  evalInterval: number;
  evalIters: number;
  logInterval: number;
  alwaysSaveCheckpoint: boolean;
  seed: number;
  out: string | undefined;
  resume: boolean;
  /** Unset: {@link defaultThreads}. */
  threads: number | undefined;
  /** `cpu` or `webgpu` (see {@link startDevice}). */
  device: string;
}

/** Defaults of the shared options that differ between commands. */
export type LoopDefaults = Pick<
  LoopArgs,
  | 'batchSize'
  | 'maxIters'
  | 'lr'
  | 'minLr'
  | 'warmupIters'
  | 'lrDecayIters'
  | 'beta2'
  | 'weightDecay'
  | 'evalInterval'
  | 'evalIters'
>;

/** Most threads a command starts without `--threads`. */
const MAX_DEFAULT_THREADS = 4;

/**
 * Threads without `--threads`: one per core, as PyTorch, up to {@link MAX_DEFAULT_THREADS} (the
 * default model is small: more threads than that mostly wait for one another).
 */
export function defaultThreads(): number {
  return Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
}

/** Starts the worker threads of `--threads` (unset: {@link defaultThreads}); resolves to the count running. */
export async function startThreads(requested: number | undefined): Promise<number> {
  const wanted = requested ?? defaultThreads();
  return wanted > 1 ? enableThreads(wanted) : 1;
}

/**
 * Starts where the run computes, and describes it for the run's header line: `cpu` makes the CPU
 * backend active and starts the worker threads of `threads` (see {@link startThreads}); `webgpu`
 * makes the WebGPU backend on this machine's GPU the active one (tensors made from now on live in
 * GPU memory).
 * @throws UsageError for another device name; CliError when WebGPU finds no GPU.
 */
export async function startDevice(
  device: string,
  threads: number | undefined,
  spec: CommandSpec,
): Promise<string> {
  if (device === 'cpu') {
    useHostBackend();
    const running = await startThreads(threads);
    return `${running} thread${running === 1 ? '' : 's'}`;
  }
  if (device !== 'webgpu') throw new UsageError(`--device must be cpu or webgpu, got '${device}'`, spec);
  try {
    return `webgpu (${(await enableWebGPU()).adapterName})`;
  } catch (error) {
    throw new CliError(`--device webgpu: ${(error as Error).message}`);
  }
}

/** The specs of the shared options, with a command's defaults. */
export function loopOptions(d: LoopDefaults): OptionSpec[] {
  return [
    {
      name: 'batch-size',
      type: 'int',
      default: d.batchSize,
      value: '<n>',
      min: 1,
      help: 'Sequences per micro-batch',
    },
    {
      name: 'max-iters',
      type: 'int',
      default: d.maxIters,
      value: '<n>',
      min: 0,
      help: 'Optimizer steps in all',
    },
    { name: 'lr', type: 'number', default: d.lr, value: '<x>', min: 0, help: 'Peak learning rate' },
    {
      name: 'min-lr',
      type: 'number',
      default: d.minLr,
      value: '<x>',
      min: 0,
      help: 'Learning rate at the end of the decay',
    },
    {
      name: 'warmup-iters',
      type: 'int',
      default: d.warmupIters,
      value: '<n>',
      min: 0,
      help: 'Linear warmup steps',
    },
    {
      name: 'lr-decay-iters',
      type: 'int',
      default: d.lrDecayIters,
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
    { name: 'beta2', type: 'number', default: d.beta2, value: '<x>', min: 0, help: 'AdamW beta2' },
    {
      name: 'weight-decay',
      type: 'number',
      default: d.weightDecay,
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
      default: d.evalInterval,
      value: '<n>',
      min: 1,
      help: 'Evaluate every n steps',
    },
    {
      name: 'eval-iters',
      type: 'int',
      default: d.evalIters,
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
    { name: 'resume', type: 'boolean', default: false, help: 'Continue the run checkpointed in --out' },
    {
      name: 'threads',
      type: 'int',
      value: '<n>',
      min: 1,
      help: `Threads for matrix products and attention (default: one per core, at most ${MAX_DEFAULT_THREADS}; results are identical on any count)`,
    },
    {
      name: 'device',
      type: 'string',
      default: 'cpu',
      value: 'cpu|webgpu',
      help: 'Where tensors live and kernels run: the CPU (WebAssembly SIMD threads), or a GPU through WebGPU (Dawn)',
    },
  ];
}

/** Shared option values that make no sense whatever the data. @throws UsageError naming the option. */
export function checkLoopArgs(a: LoopArgs, spec: CommandSpec): void {
  const fail = (message: string) => {
    throw new UsageError(message, spec);
  };
  if (a.beta1 >= 1 || a.beta2 >= 1)
    fail(`--beta1 and --beta2 must be below 1, got ${a.beta1} and ${a.beta2}`);
  if (a.decayLr && a.lrDecayIters <= a.warmupIters)
    fail(`--lr-decay-iters ${a.lrDecayIters} must be greater than --warmup-iters ${a.warmupIters}`);
}

/** The learning-rate schedule the options ask for: nanoGPT's warmup + cosine, or constant. */
export function scheduleOf(a: LoopArgs): LRSchedule {
  return a.decayLr
    ? cosineWithWarmup({ lr: a.lr, minLr: a.minLr, warmupIters: a.warmupIters, lrDecayIters: a.lrDecayIters })
    : constantLR(a.lr);
}

/** AdamW over the trainable parameters of `model`, decaying matrices only (nanoGPT's `configure_optimizers`). */
export function optimizerOf(model: Module, a: LoopArgs): AdamW {
  return new AdamW(decayParamGroups(model.namedParameters(), a.weightDecay), {
    lr: a.lr,
    betas: [a.beta1, a.beta2],
  });
}

/** The loop options every training command passes the same way (its own ones spread over them). */
export interface LoopRun {
  optimizer: OptimizerLike;
  batchSize: number;
  maxIters: number;
  gradAccum: number;
  gradClip: number;
  schedule: LRSchedule;
  evalInterval: number;
  evalIters: number;
  generator: Generator;
  alwaysSaveCheckpoint: boolean;
  skipNonFiniteSteps: number;
  signal: AbortSignal;
  checkpoint: (progress: TrainProgress) => Promise<void>;
  resume: ReturnType<typeof restoreCheckpoint> | undefined;
}

/** What {@link loopRun} checkpoints and how. */
export interface LoopRunSetup {
  model: Module;
  optimizer: OptimizerLike & StatefulOptimizer;
  tokenizer: Tokenizer;
  generator: Generator;
  /** The run's folder. */
  out: string;
  /** The checkpoint's `config`, read at each save (a KL controller's coefficient changes). */
  config: () => Record<string, unknown>;
  signal: AbortSignal;
  resume: ReturnType<typeof restoreCheckpoint> | undefined;
}

/** The {@link LoopRun} of the shared options `a`, checkpointing into `s.out`. */
export function loopRun(a: LoopArgs, s: LoopRunSetup): LoopRun {
  const tokenizer = serializeTokenizer(s.tokenizer);
  return {
    optimizer: s.optimizer,
    batchSize: a.batchSize,
    maxIters: a.maxIters,
    gradAccum: a.gradAccum,
    gradClip: a.gradClip,
    schedule: scheduleOf(a),
    evalInterval: a.evalInterval,
    evalIters: a.evalIters,
    generator: s.generator,
    alwaysSaveCheckpoint: a.alwaysSaveCheckpoint,
    skipNonFiniteSteps: a.skipNonfiniteSteps,
    signal: s.signal,
    checkpoint: async (progress) =>
      saveCheckpoint(
        s.out,
        await createCheckpointAsync({
          model: s.model,
          optimizer: s.optimizer,
          progress,
          config: s.config(),
          tokenizer,
        }),
      ),
    resume: s.resume,
  };
}
