import { basename, join, resolve } from 'node:path';
import { applyLoRA, GPT, type LoRAConfig, loraLayers, mergeAndUnloadLoRA } from '@proj/nn';
import { Generator } from '@proj/tensor';
import type { Tokenizer } from '@proj/tokenizers';
import { type CommandSpec, type OptionSpec, UsageError } from '../args.js';
import { CliError, type Io } from '../io.js';
import { loadModelSource, modelOfCheckpoint } from '../model-source.js';
import { type OpenedCheckpoint, openCheckpoint } from '../open-checkpoint.js';
import { FINETUNE_SPEC } from './finetune-options.js';

/** The LoRA options of `proj finetune`, shared by `proj dpo`, `proj ppo` and `proj grpo`. */
export const LORA_OPTIONS: OptionSpec[] = FINETUNE_SPEC.options.filter((o) =>
  ['lora-r', 'lora-alpha', 'lora-dropout', 'target-modules', 'use-rslora'].includes(o.name),
);

/** The values of {@link LORA_OPTIONS}. */
export interface LoRAArgs {
  loraR: number | undefined;
  loraAlpha: number;
  loraDropout: number;
  targetModules: string;
  useRslora: boolean;
}

/** The LoRA config the options ask for, or null without `--lora-r`. @throws UsageError for bad values. */
export function loraConfigOf(a: LoRAArgs, spec: CommandSpec): LoRAConfig | null {
  if (a.loraR === undefined) return null;
  if (a.loraDropout >= 1) throw new UsageError(`--lora-dropout must be below 1, got ${a.loraDropout}`, spec);
  const targetModules = a.targetModules.split(',').map((m) => m.trim());
  if (targetModules.some((m) => m === ''))
    throw new UsageError(`--target-modules must be comma-separated names, got '${a.targetModules}'`, spec);
  return { r: a.loraR, alpha: a.loraAlpha, dropout: a.loraDropout, targetModules, useRslora: a.useRslora };
}

/** Applies `config` to `model` (when there is one). @throws UsageError naming what does not match. */
export function adapt<M extends GPT>(
  model: M,
  config: LoRAConfig | null,
  generator: Generator,
  spec: CommandSpec,
): M {
  if (!config) return model;
  try {
    return applyLoRA(model, { ...config, generator });
  } catch (error) {
    throw new UsageError((error as Error).message, spec);
  }
}

/** A GPT copied from `--from`, its tokenizer, and the folder, absolute (what a resumed run reloads). */
export interface SourceModel {
  gpt: GPT;
  tokenizer: Tokenizer;
  from: string;
}

/**
 * The language model of `from` (a proj run, a Hugging Face GPT-2 folder, an adapter folder) as a
 * fresh GPT whose dropout draws from `generator`: LoRA adapters merged into the weights, a value
 * head left behind. Each call is a separate copy (a policy, and the frozen reference beside it).
 * @throws CliError when `from` cannot be read, or holds a reward model.
 */
export async function copyOfSource(
  from: string,
  generator: Generator,
  io: Io,
  command: string,
): Promise<SourceModel> {
  const source = await loadModelSource(from);
  for (const note of source.warnings) io.stderr.write(`proj ${command}: note: ${note}\n`);
  if (loraLayers(source.model).length > 0) mergeAndUnloadLoRA(source.model);
  const gpt = new GPT(source.model.config, { generator });
  const weights = Object.entries(source.model.stateDict()).filter(([name]) => !name.startsWith('v_head.'));
  gpt.loadStateDict(Object.fromEntries(weights));
  return { gpt, tokenizer: source.tokenizer, from: resolve(from) };
}

/**
 * The run of `command` checkpointed in `out`, to continue: the checkpoint and the absolute `--from`
 * it started from (`config.<command>.from`).
 * @throws CliError when `out` holds no checkpoint, or one of another command.
 */
export async function openRun(
  out: string,
  command: string,
): Promise<{ opened: OpenedCheckpoint; from: string }> {
  const opened = await openCheckpoint(out);
  const saved = opened.ckpt.state.config[command] as { from?: unknown } | undefined;
  if (typeof saved?.from !== 'string')
    throw new CliError(
      `${out} is not a run of proj ${command} (its state.json has no "config.${command}"); resume it with the command that wrote it`,
    );
  return { opened, from: saved.from };
}

/** `--seed` and `--out` of an RLHF command whose default output folder is `runs/<from>-<suffix>`. */
export function seedAndOutOptions(seedHelp: string, suffix: string): OptionSpec[] {
  return [
    { name: 'seed', type: 'int', default: 1337, value: '<n>', help: seedHelp },
    {
      name: 'out',
      type: 'string',
      value: '<dir>',
      help: `Output directory (default: runs/<from>-${suffix})`,
    },
  ];
}

/** `--out`, or `runs/<the folder name of --from>-<suffix>`. */
export function outOf(a: { out: string | undefined; from: string | undefined }, suffix: string): string {
  return a.out ?? join('runs', `${basename(resolve(a.from ?? 'model'))}-${suffix}`);
}

/** The options {@link startPolicy} reads. */
export interface PolicyArgs extends LoRAArgs {
  seed: number;
  resume: boolean;
  out: string | undefined;
  from: string | undefined;
}

/** Where a DPO, PPO or GRPO run starts: its folder, the run it resumes, the policy and its tokenizer. */
export interface PolicyStart {
  out: string;
  /** Seeds adapters, dropout and batches; a resumed run's checkpoint restores its state. */
  generator: Generator;
  resumed: { opened: OpenedCheckpoint; from: string } | undefined;
  /** The adapters' config (a resumed run's own), or null for every weight. */
  lora: LoRAConfig | null;
  /** `--from`, absolute (a resumed run's own). */
  from: string;
  model: GPT;
  tokenizer: Tokenizer;
}

/**
 * The policy of `proj <command>`: with `--resume` the model checkpointed in `--out` (weights not yet
 * restored), otherwise a copy of `--from` passed through `wrap` (PPO adds its value head) and given
 * LoRA adapters with `--lora-r`.
 * @throws CliError/UsageError for a missing or foreign run, an unreadable source, bad LoRA options.
 */
export async function startPolicy(
  a: PolicyArgs,
  command: string,
  spec: CommandSpec,
  io: Io,
  wrap: (gpt: GPT, generator: Generator) => GPT,
): Promise<PolicyStart> {
  const out = outOf(a, command);
  const generator = new Generator(a.seed);
  const resumed = a.resume ? await openRun(out, command) : undefined;
  const saved = resumed?.opened.ckpt.state.config.lora as LoRAConfig | null | undefined;
  const lora = saved ?? loraConfigOf(a, spec);
  const from = resumed?.from ?? resolve(a.from!);
  if (resumed)
    return {
      out,
      generator,
      resumed,
      lora,
      from,
      model: modelOfCheckpoint(resumed.opened, out, generator),
      tokenizer: resumed.opened.tokenizer,
    };
  const source = await copyOfSource(from, generator, io, command);
  const model = adapt(wrap(source.gpt, generator), lora, generator, spec);
  return { out, generator, resumed, lora, from, model, tokenizer: source.tokenizer };
}

/** The reference of a policy: its adapters disabled under LoRA (no second model), else a frozen copy of `--from`. */
export async function referenceOf(policy: PolicyStart, io: Io, command: string): Promise<'adapters' | GPT> {
  return policy.lora ? 'adapters' : (await copyOfSource(policy.from, new Generator(0), io, command)).gpt;
}
