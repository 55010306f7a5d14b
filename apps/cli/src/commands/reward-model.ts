import { GPTRewardModel } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { rewardModelEvents } from '@proj/train';
import type { CommandSpec } from '../args.js';
import { command } from '../command.js';
import { rewardModelOfCheckpoint } from '../model-source.js';
import { checkWritable } from '../out-dir.js';
import { type LoopArgs, loopOptions, startDevice } from './loop-options.js';
import {
  checkPreferenceArgs,
  loadPreferenceData,
  PREFERENCE_DATA_OPTIONS,
  PREFERENCE_LOOP_DEFAULTS,
  type PreferenceDataArgs,
} from './preference-data.js';
import { runStage } from './rlhf-run.js';
import { copyOfSource, openRun, outOf, seedAndOutOptions } from './rlhf-start.js';

/** `proj reward-model` options: TRL's `RewardConfig` names, in kebab case. */
interface RewardModelArgs extends LoopArgs, PreferenceDataArgs {
  centerRewardsCoefficient: number;
}

/** The spec behind `proj reward-model --help`. */
export const REWARD_MODEL_SPEC: CommandSpec = {
  name: 'reward-model',
  summary:
    "Train a reward model (TRL's RewardTrainer) on preference pairs: a GPT from a proj run or a Hugging Face GPT-2 folder with a scalar head read at the last token, Bradley-Terry loss. Writes the checkpoint, metrics.json, loss.svg and accuracy.svg into --out.",
  options: [
    ...PREFERENCE_DATA_OPTIONS,
    {
      name: 'center-rewards-coefficient',
      type: 'number',
      default: 0,
      value: '<c>',
      min: 0,
      help: 'Adds c·mean((r_chosen + r_rejected)²) to the loss, keeping rewards centred on 0',
    },
    ...loopOptions({ ...PREFERENCE_LOOP_DEFAULTS, lr: 1e-4, minLr: 1e-5 }),
    ...seedAndOutOptions('Seed of the head, batches and dropout', 'rm'),
  ],
  notes: [
    'Steps log accuracy (share of pairs with r_chosen > r_rejected), margin and the mean rewards; evaluations the same as eval_accuracy, ….',
    'proj ppo and proj grpo take the run as --reward-model.',
  ],
};

/** `proj reward-model`: train a reward model on preference pairs. */
export const rewardModelCommand = command<RewardModelArgs>(REWARD_MODEL_SPEC, async (a, io) => {
  checkPreferenceArgs(a, REWARD_MODEL_SPEC);
  const compute = await startDevice(a.device, a.threads, REWARD_MODEL_SPEC);
  const out = outOf(a, 'rm');
  const generator = new Generator(a.seed);
  const resumed = a.resume ? await openRun(out, 'reward-model') : undefined;
  const source = resumed ? undefined : await copyOfSource(a.from!, generator, io, 'reward-model');
  const model = resumed
    ? rewardModelOfCheckpoint(resumed.opened, out, generator)
    : new GPTRewardModel(source!.gpt, { generator });
  const tokenizer = resumed?.opened.tokenizer ?? source!.tokenizer;
  const from = resumed?.from ?? source!.from;
  const data = await loadPreferenceData(a, tokenizer, model.config.blockSize);
  await checkWritable(out);
  const config = {
    model: { ...model.config },
    head: 'reward',
    lora: null,
    'reward-model': { ...a, from, out },
  };
  const result = await runStage(io, {
    command: 'reward-model',
    a,
    out,
    model,
    tokenizer,
    generator,
    opened: resumed?.opened,
    describe:
      `training a reward model from ${from} into ${out}: ${data.train.length} training and ${data.val?.length ?? 0} validation pairs from ${a.data}, ` +
      `${a.maxIters} iters of ${a.batchSize} pairs`,
    compute,
    config: () => config,
    headline: ['accuracy'],
    charts: [
      {
        file: 'accuracy.svg',
        step: 'accuracy',
        eval: 'eval_accuracy',
        yLabel: 'accuracy (r_chosen > r_rejected)',
      },
    ],
    title: `${a.data} · reward model`,
    fields: { from, data: a.data, pairs: { train: data.train.length, val: data.val?.length ?? 0 } },
    events: (loop) =>
      rewardModelEvents({
        ...loop,
        model,
        train: data.train,
        val: data.val,
        evalIters: data.val ? a.evalIters : 0,
        centerRewardsCoefficient: a.centerRewardsCoefficient,
      }),
  });
  const last = result.history.evalMetrics?.at(-1)?.[1];
  io.stdout.write(
    `${last?.eval_accuracy === undefined ? '' : `held-out accuracy ${(100 * last.eval_accuracy).toFixed(1)}%, margin ${last.eval_margin?.toFixed(3)}\n`}` +
      `wrote ${out}/{checkpoint.json,ckpt-*,metrics.json,loss.svg,accuracy.svg}\n`,
  );
});
