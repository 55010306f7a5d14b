import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GPT } from '@proj/nn';
import { Generator } from '@proj/tensor';
import type { Tokenizer } from '@proj/tokenizers';
import { serializeTokenizer } from '@proj/tokenizers';
import {
  DatasetError,
  type GenerationOptions,
  PromptDataset,
  type RewardFunction,
  restoreCheckpoint,
  rewardModelFunction,
  sampleCompletions,
} from '@proj/train';
import { CliError } from '../io.js';
import { rewardModelOfCheckpoint } from '../model-source.js';
import { openCheckpoint } from '../open-checkpoint.js';
import type { RLArgs } from './rl-options.js';

/** Training and evaluation prompts (and the texts of the evaluation ones, for samples). */
export interface RLPrompts {
  train: PromptDataset;
  val: PromptDataset;
  valTexts: string[];
}

/**
 * The prompts of `--prompts` (and `--val-prompts`, or the last `--val-fraction`), encoded.
 * @throws DatasetError naming the file and line of a bad prompt; CliError when a prompt leaves no
 *   room for `--max-new-tokens` in the model's context.
 */
export async function loadPrompts(a: RLArgs, tokenizer: Tokenizer, blockSize: number): Promise<RLPrompts> {
  const all = await readPrompts(a.prompts!, tokenizer, blockSize - a.maxNewTokens);
  let [train, val] = [
    all,
    a.valPrompts ? await readPrompts(a.valPrompts, tokenizer, blockSize - a.maxNewTokens) : all,
  ];
  if (!a.valPrompts && a.valFraction > 0) {
    const n = Math.max(1, Math.floor(all.length * a.valFraction));
    if (n >= all.length)
      throw new CliError(
        `--prompts ${a.prompts} has ${all.length} prompts: too few to keep ${n} for evaluation (--val-fraction 0 evaluates on them all)`,
      );
    [train, val] = [all.slice(0, -n), all.slice(-n)];
  }
  return {
    train: new PromptDataset(train.map((p) => p.ids)),
    val: new PromptDataset(val.map((p) => p.ids)),
    valTexts: val.map((p) => p.text),
  };
}

async function readPrompts(
  path: string,
  tokenizer: Tokenizer,
  room: number,
): Promise<{ text: string; ids: number[] }[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const prompts: { text: string; ids: number[] }[] = [];
  text.split('\n').forEach((raw, i) => {
    const where = `${path}:${i + 1}`;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new DatasetError(`${where}: not valid JSON (${(error as Error).message})`);
    }
    const prompt = (value as { prompt?: unknown } | null)?.prompt;
    if (typeof prompt !== 'string' || prompt === '')
      throw new DatasetError(`${where}: "prompt" must be a non-empty string`);
    let ids: number[];
    try {
      ids = tokenizer.encodeOrdinary(prompt);
    } catch (error) {
      throw new CliError(
        `${where}: the model's tokenizer cannot encode the prompt (${(error as Error).message})`,
      );
    }
    if (ids.length > room)
      throw new CliError(
        `${where}: the prompt is ${ids.length} tokens; with --max-new-tokens it does not fit the model's context (${room} tokens left for it)`,
      );
    prompts.push({ text: prompt, ids });
  });
  if (prompts.length === 0) throw new DatasetError(`${path}: no prompts`);
  return prompts;
}

/**
 * The reward function of `--reward` (a module's default or `reward` export) or `--reward-model`
 * (a run of `proj reward-model`, which must share the policy's vocabulary and tokenizer).
 * @throws CliError when the module exports no function, or the reward model does not fit.
 */
export async function loadReward(
  a: RLArgs,
  policy: { vocabSize: number; tokenizer: Tokenizer },
  padId: number,
): Promise<{ reward: RewardFunction; name: string }> {
  if (a.reward !== undefined) {
    let module: { default?: unknown; reward?: unknown };
    try {
      module = await import(pathToFileURL(resolve(a.reward)).href);
    } catch (error) {
      throw new CliError(`--reward ${a.reward} cannot be imported: ${(error as Error).message}`);
    }
    const fn = typeof module.default === 'function' ? module.default : module.reward;
    if (typeof fn !== 'function')
      throw new CliError(`--reward ${a.reward} exports no function (as its default export or as "reward")`);
    return { reward: fn as RewardFunction, name: a.reward };
  }
  const dir = a.rewardModel!;
  const opened = await openCheckpoint(dir);
  const model = rewardModelOfCheckpoint(opened, dir, new Generator(0));
  restoreCheckpoint(opened.ckpt, { model });
  if (model.config.vocabSize !== policy.vocabSize)
    throw new CliError(
      `--reward-model ${dir} reads a vocabulary of ${model.config.vocabSize} tokens, the policy's has ${policy.vocabSize}: train it from the same model`,
    );
  const same =
    JSON.stringify(serializeTokenizer(opened.tokenizer)) ===
    JSON.stringify(serializeTokenizer(policy.tokenizer));
  if (!same)
    throw new CliError(
      `--reward-model ${dir} has another tokenizer than the policy: train it from the same model`,
    );
  return { reward: rewardModelFunction(model, { padId }), name: dir };
}

/** The sampling options of the command line, as the trainers take them. */
export function generationOf(a: RLArgs, tokenizer: Tokenizer): GenerationOptions {
  const eos = tokenizer.specialTokens.get('<|endoftext|>');
  return {
    maxNewTokens: a.maxNewTokens,
    temperature: a.temperature,
    topK: a.topK,
    topP: a.topP,
    stopTokens: a.stopAtEos && eos !== undefined ? [eos] : [],
  };
}

/** Completions of the first evaluation prompts, sampled with a fixed seed: the text of samples.txt. */
export function sampleLines(
  model: GPT,
  tokenizer: Tokenizer,
  prompts: RLPrompts,
  generation: GenerationOptions,
  n: number,
  seed: number,
): string[] {
  const count = Math.min(n, prompts.val.length);
  const ids = prompts.val.prompts.slice(0, count).map((p) => [...p]);
  const completions = sampleCompletions(model, ids, { ...generation, generator: new Generator(seed) });
  return completions.map(
    (c, i) => `${JSON.stringify(prompts.valTexts[i])} → ${JSON.stringify(tokenizer.decode(c))}`,
  );
}
