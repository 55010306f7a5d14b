import { join } from 'node:path';
import { enableThreads } from '@proj/tensor/node';
import { NUMBER_LANGUAGES, type NumberLanguage } from 'demo-data';
import { DEFAULT_MODELS, MODEL_KINDS, type ModelKind } from './models.js';
import { formatUsage, type OptionSpec, type OptionValues, parseOptions, UsageError } from './options.js';
import { type RunOptions, runTask } from './run-task.js';
import { g2pTask } from './tasks/g2p.js';
import { numbersTask } from './tasks/numbers.js';
import { summariesTask } from './tasks/summaries.js';
import type { TaskData, TaskDefaults } from './tasks/task.js';

/** Where a command writes. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Options every task command takes; `defaults` are the task's. */
function runSpecs(task: string, d: TaskDefaults): OptionSpec[] {
  return [
    {
      name: 'out',
      type: 'string',
      default: join('runs', task),
      help: 'Folder for results, charts and models',
    },
    {
      name: 'models',
      type: 'string',
      list: true,
      choices: MODEL_KINDS,
      default: d.models.join(','),
      help: 'Models to train, comma-separated',
    },
    { name: 'quick', type: 'boolean', help: 'Tiny data, models and step count (under a minute; for tests)' },
    { name: 'steps', type: 'int', min: 1, default: d.steps, quick: 30, help: 'Training steps per model' },
    { name: 'batch-size', type: 'int', min: 1, default: d.batchSize, quick: 16, help: 'Pairs per step' },
    {
      name: 'lr',
      type: 'number',
      min: 0,
      default: d.lr,
      help: 'Peak AdamW learning rate (warmup, then cosine to lr/10)',
    },
    { name: 'warmup', type: 'int', min: 0, help: 'Warmup steps (default: a tenth of --steps, at most 200)' },
    { name: 'weight-decay', type: 'number', min: 0, default: 0.01, help: 'AdamW weight decay on matrices' },
    { name: 'clip', type: 'number', min: 0, default: 1, help: 'Gradient clipping (max global norm)' },
    { name: 'label-smoothing', type: 'number', min: 0, default: 0.1, help: 'Label smoothing of the loss' },
    {
      name: 'd-model',
      type: 'int',
      min: 4,
      default: d.dModel,
      quick: 16,
      help: 'Transformer width (the RNNs match its parameter count)',
    },
    {
      name: 'layers',
      type: 'int',
      min: 1,
      default: d.layers,
      quick: 1,
      help: 'Transformer layers on each side',
    },
    { name: 'heads', type: 'int', min: 1, default: 4, quick: 2, help: 'Transformer attention heads' },
    { name: 'dropout', type: 'number', min: 0, default: 0.1, help: 'Dropout of every model' },
    {
      name: 'beam',
      type: 'int',
      min: 1,
      default: 5,
      quick: 3,
      help: 'Beam width (greedy decoding is always scored too)',
    },
    {
      name: 'eval-every',
      type: 'int',
      min: 1,
      default: d.evalEvery,
      quick: 10,
      help: 'Validation loss every this many steps',
    },
    {
      name: 'decode-batch',
      type: 'int',
      min: 1,
      default: 256,
      quick: 64,
      help: 'Rows decoded at once (divided by the beam width)',
    },
    {
      name: 'seed',
      type: 'int',
      min: 0,
      default: 1337,
      help: 'Seed of initialisation, dropout and batch order',
    },
    { name: 'threads', type: 'int', min: 1, default: 1, help: 'Threads for matrix products' },
  ];
}

/** A task command: its options, and how they build the task's data. */
interface TaskCommand {
  summary: string;
  defaults: TaskDefaults;
  extra: OptionSpec[];
  build(values: OptionValues): TaskData;
}

/** Defaults of the tasks that compare the four models (g2p, numbers). */
const FOUR_MODEL_DEFAULTS: TaskDefaults = {
  models: DEFAULT_MODELS,
  steps: 1000,
  batchSize: 64,
  dModel: 64,
  layers: 2,
  lr: 2e-3,
  evalEvery: 100,
};

const TASKS: Record<'g2p' | 'numbers' | 'summaries', TaskCommand> = {
  g2p: {
    summary:
      'Grapheme-to-phoneme on CMUdict: trains RNN, GRU, LSTM and Transformer at matched sizes, scores WER/PER (greedy and beam).',
    defaults: FOUR_MODEL_DEFAULTS,
    extra: [
      {
        name: 'train-size',
        type: 'int',
        min: 1,
        quick: 2000,
        help: 'Training words (default: the whole train split)',
      },
      {
        name: 'valid-size',
        type: 'int',
        min: 1,
        default: 500,
        quick: 50,
        help: 'Validation words for the learning curves',
      },
      {
        name: 'test-size',
        type: 'int',
        min: 1,
        quick: 60,
        help: 'Test words scored (default: the whole test split)',
      },
    ],
    build: (v) =>
      g2pTask({
        trainSize: v.trainSize as number | undefined,
        validSize: v.validSize as number,
        testSize: v.testSize as number | undefined,
      }),
  },
  numbers: {
    summary:
      'Number words between languages (n2words): trains the four models, scores exact match on held-out and on longer numbers.',
    defaults: FOUR_MODEL_DEFAULTS,
    extra: [
      { name: 'from', type: 'string', choices: NUMBER_LANGUAGES, default: 'en-US', help: 'Source language' },
      { name: 'to', type: 'string', choices: NUMBER_LANGUAGES, default: 'es-ES', help: 'Target language' },
      { name: 'train-size', type: 'int', min: 1, default: 50_000, quick: 1000, help: 'Training pairs' },
      { name: 'valid-size', type: 'int', min: 1, default: 500, quick: 50, help: 'Validation pairs' },
      {
        name: 'test-size',
        type: 'int',
        min: 1,
        default: 1000,
        quick: 50,
        help: 'Pairs in each test set (test, long)',
      },
    ],
    build: (v) =>
      numbersTask({
        from: v.from as NumberLanguage,
        to: v.to as NumberLanguage,
        trainSize: v.trainSize as number,
        validSize: v.validSize as number,
        testSize: v.testSize as number,
      }),
  },
  summaries: {
    summary:
      'Email subject lines from bodies (SpamAssassin): a Transformer over BPE tokens and a decoder-only GPT finetuned with prompt masking, against the lead baseline, ROUGE-1/2/L F1.',
    defaults: {
      models: ['transformer', 'gpt'],
      steps: 400,
      batchSize: 32,
      dModel: 64,
      layers: 2,
      lr: 1e-3,
      evalEvery: 100,
    },
    extra: [
      {
        name: 'vocab-size',
        type: 'int',
        min: 260,
        default: 2000,
        quick: 300,
        help: 'BPE vocabulary (special tokens included)',
      },
      {
        name: 'max-source-tokens',
        type: 'int',
        min: 8,
        default: 128,
        quick: 48,
        help: 'Body tokens the model reads',
      },
      { name: 'train-size', type: 'int', min: 1, quick: 300, help: 'Training emails (default: all)' },
      { name: 'valid-size', type: 'int', min: 1, default: 100, quick: 20, help: 'Validation emails' },
      { name: 'test-size', type: 'int', min: 1, quick: 20, help: 'Test emails (default: all)' },
    ],
    build: (v) =>
      summariesTask({
        vocabSize: v.vocabSize as number,
        maxSourceTokens: v.maxSourceTokens as number,
        trainSize: v.trainSize as number | undefined,
        validSize: v.validSize as number,
        testSize: v.testSize as number | undefined,
      }),
  },
};

/** The names of the task commands. */
export const TASK_NAMES = Object.keys(TASKS) as (keyof typeof TASKS)[];

/** The usage of a task command. */
export function taskUsage(name: keyof typeof TASKS): string {
  const command = TASKS[name];
  return formatUsage(name, command.summary, [...runSpecs(name, command.defaults), ...command.extra]);
}

/** Runs a task command: parses `argv`, builds the data, trains and evaluates, writes the results. */
export async function runTaskCommand(
  name: keyof typeof TASKS,
  argv: readonly string[],
  io: Io,
): Promise<void> {
  const command = TASKS[name];
  const values = parseOptions([...runSpecs(name, command.defaults), ...command.extra], argv);
  if (values.help) {
    io.stdout.write(taskUsage(name));
    return;
  }
  if ((values.dModel as number) % (values.heads as number) !== 0)
    throw new UsageError(`--d-model ${values.dModel} must be divisible by --heads ${values.heads}`);
  const steps = values.steps as number;
  const warmup = (values.warmup as number | undefined) ?? Math.min(200, Math.floor(steps / 10));
  if (warmup >= steps) throw new UsageError(`--warmup ${warmup} must be smaller than --steps ${steps}`);
  const threads = (values.threads as number) > 1 ? await enableThreads(values.threads as number) : 1;
  const task = command.build(values);
  if ((values.models as ModelKind[]).includes('gpt') && task.source !== task.target)
    throw new UsageError(
      `--models gpt needs a task whose sources and targets share one vocabulary (summaries), not ${name}`,
    );
  const options: RunOptions = {
    out: values.out as string,
    models: values.models as ModelKind[],
    steps,
    batchSize: values.batchSize as number,
    lr: values.lr as number,
    warmup,
    weightDecay: values.weightDecay as number,
    clip: values.clip as number,
    labelSmoothing: values.labelSmoothing as number,
    dModel: values.dModel as number,
    layers: values.layers as number,
    nHead: values.heads as number,
    dropout: values.dropout as number,
    beam: values.beam as number,
    evalEvery: values.evalEvery as number,
    decodeBatch: values.decodeBatch as number,
    seed: values.seed as number,
    threads,
    log: (line) => io.stdout.write(`${line}\n`),
  };
  const results = await runTask(task, options);
  io.stdout.write(
    `wrote ${options.out}/results.json, results.md, curves-steps.svg, curves-time.svg and the models (${results.wallSeconds.toFixed(0)} s)\n`,
  );
}
