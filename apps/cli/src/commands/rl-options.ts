import type { CommandSpec, OptionSpec } from '../args.js';
import { UsageError } from '../args.js';
import { checkLoopArgs, type LoopArgs, type LoopDefaults, loopOptions } from './loop-options.js';
import { LORA_OPTIONS, type LoRAArgs, seedAndOutOptions } from './rlhf-start.js';

/** The options `proj ppo` and `proj grpo` share: model, prompts, reward, sampling, LoRA, the loop. */
export interface RLArgs extends LoopArgs, LoRAArgs {
  from: string | undefined;
  prompts: string | undefined;
  valPrompts: string | undefined;
  valFraction: number;
  reward: string | undefined;
  rewardModel: string | undefined;
  maxNewTokens: number;
  temperature: number;
  topK: number | undefined;
  topP: number;
  stopAtEos: boolean;
  samples: number;
}

/** Why `proj ppo` and `proj grpo` run on the CPU only. */
const CPU_ONLY = 'rollouts are sampled token by token, each step reading the logits on the CPU';

/** The loop defaults of `proj ppo` and `proj grpo` but the batch size and learning rates. */
const RL_LOOP_DEFAULTS = {
  maxIters: 100,
  warmupIters: 0,
  lrDecayIters: 100,
  beta2: 0.999,
  weightDecay: 0,
  evalInterval: 20,
  evalIters: 2,
};

/** The specs of the shared options, with the command's loop defaults (a constant learning rate, as TRL). */
export function rlOptions(
  command: 'ppo' | 'grpo',
  defaults: Pick<LoopDefaults, 'batchSize' | 'lr' | 'minLr'>,
): OptionSpec[] {
  const loop = loopOptions({ ...RL_LOOP_DEFAULTS, ...defaults }).map((o) =>
    o.name === 'decay-lr'
      ? { ...o, default: false }
      : o.name === 'device'
        ? { ...o, value: 'cpu', help: `Where tensors live: the CPU only (${CPU_ONLY})` }
        : o,
  );
  return [
    {
      name: 'from',
      type: 'string',
      value: '<dir>',
      help: 'The policy to start from (and the reference): a proj run, a Hugging Face GPT-2 folder or an adapter folder (required unless --resume)',
    },
    {
      name: 'prompts',
      type: 'string',
      value: '<jsonl>',
      help: 'Prompts, one JSON object per line: {"prompt": …} (required)',
    },
    {
      name: 'val-prompts',
      type: 'string',
      value: '<jsonl>',
      help: 'Evaluation prompts (default: the last --val-fraction of --prompts)',
    },
    {
      name: 'val-fraction',
      type: 'number',
      default: 0.1,
      value: '<x>',
      min: 0,
      help: 'Share of --prompts kept for evaluation when there is no --val-prompts (0: evaluate on the training prompts)',
    },
    {
      name: 'reward',
      type: 'string',
      value: '<module>',
      help: 'A JavaScript module whose default export (or "reward" export) scores completions: (completions) => numbers',
    },
    {
      name: 'reward-model',
      type: 'string',
      value: '<dir>',
      help: 'A run of proj reward-model that scores completions',
    },
    { name: 'max-new-tokens', type: 'int', default: 24, value: '<n>', min: 1, help: 'Longest completion' },
    {
      name: 'temperature',
      type: 'number',
      default: 1,
      value: '<t>',
      min: 0,
      exclusiveMin: true,
      help: 'Sampling temperature',
    },
    {
      name: 'top-k',
      type: 'int',
      value: '<k>',
      min: 1,
      help: 'Sample among the k most likely tokens (default: all)',
    },
    {
      name: 'top-p',
      type: 'number',
      default: 1,
      value: '<p>',
      min: 0,
      exclusiveMin: true,
      help: 'Nucleus sampling',
    },
    {
      name: 'stop-at-eos',
      type: 'boolean',
      default: true,
      help: "End a completion at the tokenizer's <|endoftext|>, when it has one",
    },
    ...LORA_OPTIONS,
    ...loop,
    ...seedAndOutOptions('Seed of the value head, adapters, prompts and samples', command),
    {
      name: 'samples',
      type: 'int',
      default: 5,
      value: '<n>',
      min: 0,
      help: 'Evaluation prompts whose completions, before and after, go to samples.txt',
    },
  ];
}

/** Option values that make no sense whatever the data. @throws UsageError naming the option. */
export function checkRLArgs(a: RLArgs, spec: CommandSpec): void {
  checkLoopArgs(a, spec);
  const fail = (message: string) => {
    throw new UsageError(message, spec);
  };
  if (!a.resume && !a.from) fail('--from <dir> is required (the policy to start from)');
  if (!a.prompts) fail('--prompts <jsonl> is required');
  if ((a.reward === undefined) === (a.rewardModel === undefined))
    fail('give one of --reward <module> and --reward-model <dir>');
  if (a.device === 'webgpu')
    fail(
      `--device webgpu: proj ${spec.name} runs on the CPU only (${CPU_ONLY}); train, finetune, reward-model and dpo take --device webgpu`,
    );
  if (a.valFraction >= 1) fail(`--val-fraction must be below 1, got ${a.valFraction}`);
  if (a.topP > 1) fail(`--top-p must be at most 1, got ${a.topP}`);
  if (a.gradAccum !== 1)
    fail(
      '--grad-accum is not used by PPO and GRPO: an iteration is --batch-size prompts, optimised in --mini-batch-size steps',
    );
}
