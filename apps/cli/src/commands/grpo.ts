import { grpoEvents } from '@proj/train';
import { type CommandSpec, UsageError } from '../args.js';
import { command } from '../command.js';
import { type RLArgs, rlOptions } from './rl-options.js';
import { runRLStage } from './rl-stage.js';

/** `proj grpo` options: TRL's `GRPOConfig` names, in kebab case. */
interface GRPOArgs extends RLArgs {
  numGenerations: number;
  numIterations: number;
  miniBatchSize: number | undefined;
  beta: number;
  epsilon: number;
  epsilonHigh: number | undefined;
  lossType: string;
  scaleRewards: boolean;
}

/** The spec behind `proj grpo --help`. */
export const GRPO_SPEC: CommandSpec = {
  name: 'grpo',
  summary:
    "Group relative policy optimisation (TRL's GRPOTrainer): --num-generations completions of each prompt, advantages relative to their group, a clipped ratio objective, no critic; optionally a k3 KL penalty (--beta) to the frozen reference. Writes the checkpoint, metrics.json, loss.svg, reward.svg and samples.txt into --out.",
  options: [
    ...rlOptions('grpo', {
      batchSize: 4,
      lr: 1e-6,
      minLr: 1e-7,
    }),
    {
      name: 'num-generations',
      type: 'int',
      default: 8,
      value: '<G>',
      min: 2,
      help: 'Completions per prompt (the group)',
    },
    {
      name: 'num-iterations',
      type: 'int',
      default: 1,
      value: '<n>',
      min: 1,
      help: 'Passes over each generation batch (μ)',
    },
    {
      name: 'mini-batch-size',
      type: 'int',
      value: '<n>',
      min: 1,
      help: 'Completions per optimizer step (default: all of an iteration)',
    },
    {
      name: 'beta',
      type: 'number',
      default: 0,
      value: '<b>',
      min: 0,
      help: 'k3 KL penalty coefficient (0: no reference model)',
    },
    { name: 'epsilon', type: 'number', default: 0.2, value: '<x>', min: 0, help: 'Clip range of the ratio' },
    {
      name: 'epsilon-high',
      type: 'number',
      value: '<x>',
      min: 0,
      help: 'Upper clip range (default --epsilon; DAPO uses 0.28)',
    },
    {
      name: 'loss-type',
      type: 'string',
      default: 'dapo',
      value: '<type>',
      help: 'dapo (per token) or grpo (per sequence)',
    },
    {
      name: 'scale-rewards',
      type: 'boolean',
      default: true,
      help: 'Divide advantages by the group standard deviation (--no-scale-rewards: Dr. GRPO)',
    },
  ],
  notes: [
    "Steps log TRL's reward, reward_std, frac_reward_zero_std, kl (with a reference), entropy, clip_ratio/*, completions/mean_length; evaluations eval/reward_mean on the evaluation prompts.",
  ],
};

/** `proj grpo`: group relative policy optimisation. */
export const grpoCommand = command<GRPOArgs>(GRPO_SPEC, async (a, io) => {
  if (a.lossType !== 'dapo' && a.lossType !== 'grpo')
    throw new UsageError(`--loss-type must be dapo or grpo, got '${a.lossType}'`, GRPO_SPEC);
  await runRLStage(io, a, {
    command: 'grpo',
    spec: GRPO_SPEC,
    valueHead: false,
    copyReference: a.beta > 0,
    describe: `GRPO (G ${a.numGenerations}, ${a.lossType} loss, β ${a.beta})`,
    headline: ['reward', 'kl'],
    charts: [{ file: 'reward.svg', step: 'reward', eval: 'eval/reward_mean', yLabel: 'mean reward' }],
    config: () => () => ({}),
    fields: { numGenerations: a.numGenerations, beta: a.beta, lossType: a.lossType },
    events: (loop, inputs) =>
      grpoEvents({
        ...loop,
        ...inputs,
        train: inputs.prompts.train,
        val: inputs.prompts.val,
        numGenerations: a.numGenerations,
        numIterations: a.numIterations,
        miniBatchSize: a.miniBatchSize,
        beta: a.beta,
        epsilon: a.epsilon,
        epsilonHigh: a.epsilonHigh,
        lossType: a.lossType as 'dapo' | 'grpo',
        scaleRewards: a.scaleRewards,
        evalSeed: a.seed,
      }),
  });
});
