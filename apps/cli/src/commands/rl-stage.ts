import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GPT, GPTWithValueHead } from '@proj/nn';
import {
  type GenerationOptions,
  type ReferenceModel,
  type RewardFunction,
  restoreCheckpoint,
  type TrainEvent,
  type TrainResult,
} from '@proj/train';
import type { CommandSpec } from '../args.js';
import type { Io } from '../io.js';
import { checkWritable } from '../out-dir.js';
import { type LoopRun, startDevice } from './loop-options.js';
import { generationOf, loadPrompts, loadReward, type RLPrompts, sampleLines } from './rl-inputs.js';
import { checkRLArgs, type RLArgs } from './rl-options.js';
import { runStage, type StageChart } from './rlhf-run.js';
import { referenceOf, startPolicy } from './rlhf-start.js';

/** What a PPO or GRPO loop is given besides the shared loop options. */
export interface RLInputs {
  model: GPT;
  /** Where reference log-probabilities come from: the disabled adapters, or a frozen copy of --from (when asked for). */
  reference: ReferenceModel | undefined;
  reward: RewardFunction;
  decode: (ids: readonly number[]) => string;
  prompts: RLPrompts;
  generation: GenerationOptions;
  padId: number;
}

/** How `proj ppo` and `proj grpo` differ. */
export interface RLStageOptions {
  command: 'ppo' | 'grpo';
  spec: CommandSpec;
  /** PPO's policy carries a value head (the critic). */
  valueHead: boolean;
  /** Whether a frozen copy of --from is needed as the reference (LoRA runs use their disabled adapters). */
  copyReference: boolean;
  /** The method's part of the first line (`PPO, β adaptive from 0.2`). */
  describe: string;
  headline: readonly string[];
  charts: readonly StageChart[];
  /** More of `config` for each checkpoint (e.g. the KL coefficient reached). */
  config: (opened: Record<string, unknown> | undefined) => () => Record<string, unknown>;
  fields: Record<string, unknown>;
  events: (loop: LoopRun, inputs: RLInputs) => AsyncGenerator<TrainEvent, TrainResult, undefined>;
}

/**
 * Runs `proj ppo` or `proj grpo`: the policy from `--from` (a value head added for PPO, LoRA
 * adapters with `--lora-r`) or from the run to resume, the reference, the prompts and the reward,
 * then the shared training run, and `samples.txt`: completions of the first evaluation prompts
 * at the start of this run and at its end (the same seed).
 */
export async function runRLStage(io: Io, a: RLArgs, o: RLStageOptions): Promise<void> {
  checkRLArgs(a, o.spec);
  const compute = await startDevice(a.device, a.threads, o.spec);
  const policy = await startPolicy(a, o.command, o.spec, io, (gpt, generator) =>
    o.valueHead ? GPTWithValueHead.fromGPT(gpt, { generator }) : gpt,
  );
  const { out, generator, resumed, lora, from, model, tokenizer } = policy;
  // restored now, for the samples before (runStage restores the rest)
  if (resumed) restoreCheckpoint(resumed.opened.ckpt, { model });
  const reference: ReferenceModel | undefined =
    lora || o.copyReference ? await referenceOf(policy, io, o.command) : undefined;
  const prompts = await loadPrompts(a, tokenizer, model.config.blockSize);
  const padId = tokenizer.specialTokens.get('<|endoftext|>') ?? 0;
  const { reward, name } = await loadReward(a, { vocabSize: model.config.vocabSize, tokenizer }, padId);
  const generation = generationOf(a, tokenizer);
  await checkWritable(out);
  const before = sampleLines(model, tokenizer, prompts, generation, a.samples, a.seed);
  const inputs: RLInputs = {
    model,
    reference,
    reward,
    decode: (ids) => tokenizer.decode(ids),
    prompts,
    generation,
    padId,
  };
  const extra = o.config(resumed?.opened.ckpt.state.config[o.command] as Record<string, unknown> | undefined);
  await runStage(io, {
    command: o.command,
    a,
    out,
    model,
    tokenizer,
    generator,
    opened: resumed?.opened,
    describe:
      `${o.describe} of ${from} into ${out}: ${prompts.train.length} training and ${prompts.val.length} evaluation prompts from ${a.prompts}, ` +
      `reward ${name}, ${lora ? `LoRA r=${lora.r}` : 'every weight'}, ${a.maxIters} iters of ${a.batchSize} prompts, completions of up to ${a.maxNewTokens} tokens`,
    compute,
    config: () => ({
      model: { ...model.config },
      head: o.valueHead ? 'value' : null,
      lora,
      [o.command]: { ...a, from, out, ...extra() },
    }),
    headline: o.headline,
    charts: o.charts,
    title: `${a.prompts} · ${o.command.toUpperCase()}`,
    fields: { from, prompts: a.prompts, reward: name, lora, ...o.fields },
    events: (loop) => o.events(loop, inputs),
  });
  const after = sampleLines(model, tokenizer, prompts, generation, a.samples, a.seed);
  const samples = before.map((line, i) => `--- before ---\n${line}\n--- after ---\n${after[i]}\n`).join('\n');
  await writeFile(join(out, 'samples.txt'), samples);
  io.stdout.write(
    `wrote ${out}/{checkpoint.json,ckpt-*,metrics.json,loss.svg,${o.charts.map((c) => c.file).join(',')},samples.txt}\n\n${samples}`,
  );
}
