import { type CommandSpec, UsageError } from '../args.js';
import { checkLoopArgs, type LoopArgs, loopOptions } from './loop-options.js';

/** `proj finetune` options: TRL's `SFTConfig` and PEFT's `LoraConfig` names, in kebab case. */
export interface FinetuneArgs extends LoopArgs {
  from: string | undefined;
  data: string | undefined;
  valData: string | undefined;
  valFraction: number;
  completionOnlyLoss: boolean;
  /** Unset: full finetuning. */
  loraR: number | undefined;
  loraAlpha: number;
  loraDropout: number;
  targetModules: string;
  useRslora: boolean;
  samples: number;
  maxNewTokens: number;
}

/** The spec behind `proj finetune --help`. */
export const FINETUNE_SPEC: CommandSpec = {
  name: 'finetune',
  summary:
    "Supervised finetuning (TRL's SFTTrainer) of a GPT from a proj run or a Hugging Face GPT-2 folder on prompt/completion or chat examples, fully or with LoRA adapters (PEFT's format). Writes the checkpoint (and the adapter files), metrics.json, loss.svg and samples.txt into --out.",
  options: [
    {
      name: 'from',
      type: 'string',
      value: '<dir>',
      help: 'The model to finetune: a proj train/finetune run, or a Hugging Face GPT-2 folder (required unless --resume)',
    },
    {
      name: 'data',
      type: 'string',
      value: '<jsonl>',
      help: 'Examples, one JSON object per line: {"prompt", "completion"} or {"messages": [{role, content}, …]} (required)',
    },
    {
      name: 'val-data',
      type: 'string',
      value: '<jsonl>',
      help: 'Validation examples (default: the last --val-fraction of --data)',
    },
    {
      name: 'val-fraction',
      type: 'number',
      default: 0.1,
      value: '<x>',
      min: 0,
      help: 'Share of --data kept for validation when there is no --val-data (0: no validation)',
    },
    {
      name: 'completion-only-loss',
      type: 'boolean',
      default: true,
      help: 'Loss on completion tokens only (--no-completion-only-loss: on every token, padding excepted)',
    },
    {
      name: 'lora-r',
      type: 'int',
      value: '<n>',
      min: 1,
      help: 'Train LoRA adapters of rank n instead of every weight (PEFT r)',
    },
    {
      name: 'lora-alpha',
      type: 'number',
      default: 8,
      value: '<x>',
      min: 0,
      exclusiveMin: true,
      help: 'LoRA scale numerator (PEFT lora_alpha)',
    },
    {
      name: 'lora-dropout',
      type: 'number',
      default: 0,
      value: '<p>',
      min: 0,
      help: "Dropout on the adapters' input (PEFT lora_dropout)",
    },
    {
      name: 'target-modules',
      type: 'string',
      default: 'c_attn',
      value: '<names>',
      help: 'Comma-separated module names (or dotted suffixes) to adapt, as PEFT target_modules',
    },
    { name: 'use-rslora', type: 'boolean', default: false, help: 'Scale adapters by alpha/sqrt(r) (rsLoRA)' },
    ...loopOptions({
      batchSize: 8,
      maxIters: 200,
      lr: 3e-4,
      minLr: 3e-5,
      warmupIters: 20,
      lrDecayIters: 200,
      beta2: 0.999,
      weightDecay: 0,
      evalInterval: 50,
      evalIters: 10,
    }),
    {
      name: 'seed',
      type: 'int',
      default: 1337,
      value: '<n>',
      help: 'Seed of adapter initialisation, batches and dropout',
    },
    {
      name: 'out',
      type: 'string',
      value: '<dir>',
      help: 'Output directory (default: runs/<from>-sft, or runs/<from>-lora with --lora-r)',
    },
    {
      name: 'samples',
      type: 'int',
      default: 3,
      value: '<n>',
      min: 0,
      help: 'Validation prompts to complete greedily at the end (samples.txt)',
    },
    {
      name: 'max-new-tokens',
      type: 'int',
      default: 64,
      value: '<n>',
      min: 1,
      help: 'Longest sampled completion (it stops earlier at the end-of-text token, if the tokenizer has one)',
    },
  ],
  notes: [
    'Without --lora-r every weight trains; with it only the adapters do (and --out also gets adapter_config.json and adapter_model.safetensors, which Hugging Face PEFT loads).',
    'Examples longer than the model context lose tokens from the start of their prompt; the counts are printed.',
    'proj sample --from <out> samples from the result; proj merge --from <out> folds adapters into the weights.',
  ],
};

/** Option values that make no sense whatever the data. @throws UsageError naming the option. */
export function checkFinetuneArgs(a: FinetuneArgs, given: ReadonlySet<string>): void {
  const fail = (message: string) => {
    throw new UsageError(message, FINETUNE_SPEC);
  };
  checkLoopArgs(a, FINETUNE_SPEC);
  if (!a.resume && !a.from) fail('--from <dir> is required (the model to finetune)');
  if (!a.data) fail('--data <jsonl> is required');
  if (a.valFraction >= 1) fail(`--val-fraction must be below 1, got ${a.valFraction}`);
  if (a.loraDropout >= 1) fail(`--lora-dropout must be below 1, got ${a.loraDropout}`);
  const loraOnly = ['loraAlpha', 'loraDropout', 'targetModules', 'useRslora'].filter((k) => given.has(k));
  if (a.loraR === undefined && loraOnly.length > 0)
    fail(
      `${loraOnly.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} need --lora-r`,
    );
  if (a.targetModules.split(',').some((m) => m.trim() === ''))
    fail(`--target-modules must be comma-separated names, got '${a.targetModules}'`);
}
