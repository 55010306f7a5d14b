import type { GPTWithValueHead } from '@proj/nn';
import { AdaptiveKLController, FixedKLController, ppoEvents } from '@proj/train';
import { type CommandSpec, UsageError } from '../args.js';
import { command } from '../command.js';
import { type RLArgs, rlOptions } from './rl-options.js';
import { runRLStage } from './rl-stage.js';

/** `proj ppo` options: TRL's classic `PPOConfig` names, in kebab case. */
interface PPOArgs extends RLArgs {
  ppoEpochs: number;
  miniBatchSize: number | undefined;
  cliprange: number;
  cliprangeValue: number;
  vfCoef: number;
  gamma: number;
  lam: number;
  initKlCoef: number;
  adapKlCtrl: boolean;
  target: number;
  horizon: number;
  klPenalty: string;
}

/** The spec behind `proj ppo --help`. */
export const PPO_SPEC: CommandSpec = {
  name: 'ppo',
  summary:
    "PPO with a KL penalty against a frozen reference (TRL's classic PPOTrainer, as its gpt2-sentiment example): completions of --prompts sampled with the KV cache, scored by --reward or --reward-model, a value head as the critic. Writes the checkpoint, metrics.json, loss.svg, reward.svg, kl.svg and samples.txt into --out.",
  options: [
    ...rlOptions('ppo', {
      batchSize: 16,
      lr: 1.41e-5,
      minLr: 1.41e-6,
    }),
    { name: 'ppo-epochs', type: 'int', default: 4, value: '<n>', min: 1, help: 'Passes over each rollout' },
    {
      name: 'mini-batch-size',
      type: 'int',
      value: '<n>',
      min: 1,
      help: 'Completions per optimizer step (default: --batch-size)',
    },
    {
      name: 'cliprange',
      type: 'number',
      default: 0.2,
      value: '<x>',
      min: 0,
      help: 'Clip range of the probability ratio',
    },
    {
      name: 'cliprange-value',
      type: 'number',
      default: 0.2,
      value: '<x>',
      min: 0,
      help: 'Clip range of the value predictions',
    },
    { name: 'vf-coef', type: 'number', default: 0.1, value: '<x>', min: 0, help: 'Weight of the value loss' },
    { name: 'gamma', type: 'number', default: 1, value: '<x>', min: 0, help: 'Discount' },
    { name: 'lam', type: 'number', default: 0.95, value: '<x>', min: 0, help: "GAE's lambda" },
    {
      name: 'init-kl-coef',
      type: 'number',
      default: 0.2,
      value: '<b>',
      min: 0,
      help: 'KL coefficient β (initial, when adaptive)',
    },
    {
      name: 'adap-kl-ctrl',
      type: 'boolean',
      default: true,
      help: 'Adapt β towards --target (--no-adap-kl-ctrl: fixed)',
    },
    {
      name: 'target',
      type: 'number',
      default: 6,
      value: '<nats>',
      min: 0,
      exclusiveMin: true,
      help: 'KL per completion the adaptive β aims at',
    },
    {
      name: 'horizon',
      type: 'number',
      default: 10000,
      value: '<n>',
      min: 0,
      exclusiveMin: true,
      help: "The adaptive controller's horizon",
    },
    {
      name: 'kl-penalty',
      type: 'string',
      default: 'kl',
      value: '<kind>',
      help: 'kl (logp − logp_ref), abs or mse',
    },
  ],
  notes: [
    "Steps log TRL's stats (objective/kl, objective/entropy, env/reward_mean, ppo/policy/clipfrac, ppo/policy/approxkl, ppo/val/vpred, …); evaluations eval/reward_mean and eval/kl on the evaluation prompts, sampled with a fixed seed.",
    'A --reward module exports (completions) => numbers: each completion is { prompt, completion, promptIds, completionIds }.',
  ],
};

/** `proj ppo`: PPO with a KL penalty. */
export const ppoCommand = command<PPOArgs>(PPO_SPEC, async (a, io) => {
  if (!['kl', 'abs', 'mse'].includes(a.klPenalty))
    throw new UsageError(`--kl-penalty must be kl, abs or mse, got '${a.klPenalty}'`, PPO_SPEC);
  let controller = a.adapKlCtrl
    ? new AdaptiveKLController(a.initKlCoef, a.target, a.horizon)
    : new FixedKLController(a.initKlCoef);
  await runRLStage(io, a, {
    command: 'ppo',
    spec: PPO_SPEC,
    valueHead: true,
    copyReference: true,
    describe: `PPO (β ${a.adapKlCtrl ? `adaptive from ${a.initKlCoef}, target ${a.target}` : a.initKlCoef}, ${a.ppoEpochs} epochs)`,
    headline: ['env/reward_mean', 'objective/kl'],
    charts: [
      { file: 'reward.svg', step: 'env/reward_mean', eval: 'eval/reward_mean', yLabel: 'mean reward' },
      {
        file: 'kl.svg',
        step: 'objective/kl',
        eval: 'eval/kl',
        yLabel: 'KL to the reference (nats per completion)',
      },
    ],
    // the coefficient the adaptive controller reached is part of the run: saved, and restored on --resume
    config: (saved) => {
      if (typeof saved?.klCoef === 'number') controller = Object.assign(controller, { value: saved.klCoef });
      return () => ({ klCoef: controller.value });
    },
    fields: { ppoEpochs: a.ppoEpochs, initKlCoef: a.initKlCoef, adapKlCtrl: a.adapKlCtrl },
    events: (loop, inputs) =>
      ppoEvents({
        ...loop,
        ...inputs,
        model: inputs.model as GPTWithValueHead,
        reference: inputs.reference!,
        train: inputs.prompts.train,
        val: inputs.prompts.val,
        ppoEpochs: a.ppoEpochs,
        miniBatchSize: a.miniBatchSize,
        clipRange: a.cliprange,
        clipRangeValue: a.cliprangeValue,
        vfCoef: a.vfCoef,
        gamma: a.gamma,
        lambda: a.lam,
        klController: controller,
        klPenalty: a.klPenalty as 'kl' | 'abs' | 'mse',
        evalSeed: a.seed,
      }),
  });
});
