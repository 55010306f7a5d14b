import { dpoEvents, precomputeReferenceLogpsAsync, type ReferenceModel } from '@proj/train';
import { type CommandSpec, UsageError } from '../args.js';
import { command } from '../command.js';
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
import { LORA_OPTIONS, type LoRAArgs, referenceOf, seedAndOutOptions, startPolicy } from './rlhf-start.js';

/** `proj dpo` options: TRL's `DPOConfig` names, in kebab case. */
interface DPOArgs extends LoopArgs, PreferenceDataArgs, LoRAArgs {
  beta: number;
  lossType: string;
  labelSmoothing: number;
  precomputeRefLogProbs: boolean;
}

/** The spec behind `proj dpo --help`. */
export const DPO_SPEC: CommandSpec = {
  name: 'dpo',
  summary:
    "Direct preference optimisation (TRL's DPOTrainer) of a GPT from a proj run or a Hugging Face GPT-2 folder on preference pairs, fully or with LoRA adapters. Writes the checkpoint, metrics.json, loss.svg and margins.svg into --out.",
  options: [
    ...PREFERENCE_DATA_OPTIONS,
    {
      name: 'beta',
      type: 'number',
      default: 0.1,
      value: '<b>',
      min: 0,
      exclusiveMin: true,
      help: 'Strength of the implicit KL constraint β',
    },
    { name: 'loss-type', type: 'string', default: 'sigmoid', value: '<type>', help: 'sigmoid (DPO) or ipo' },
    {
      name: 'label-smoothing',
      type: 'number',
      default: 0,
      value: '<e>',
      min: 0,
      help: 'Conservative DPO: the share of pairs assumed mislabelled (sigmoid only, < 0.5)',
    },
    {
      name: 'precompute-ref-log-probs',
      type: 'boolean',
      default: false,
      help: "Compute the reference's log-probabilities of every pair once, before training (no reference model kept)",
    },
    ...LORA_OPTIONS,
    ...loopOptions({ ...PREFERENCE_LOOP_DEFAULTS, lr: 5e-5, minLr: 5e-6 }),
    ...seedAndOutOptions('Seed of adapters, batches and dropout', 'dpo'),
  ],
  notes: [
    'The reference is --from itself: a frozen copy, or with --lora-r the policy with its adapters disabled (no second model).',
    'Steps log rewards/chosen, rewards/rejected, rewards/accuracies, rewards/margins, logps/chosen, logps/rejected (TRL); evaluations the same with eval_ in front.',
  ],
};

/** `proj dpo`: direct preference optimisation. */
export const dpoCommand = command<DPOArgs>(DPO_SPEC, async (a, io) => {
  checkPreferenceArgs(a, DPO_SPEC);
  if (a.lossType !== 'sigmoid' && a.lossType !== 'ipo')
    throw new UsageError(`--loss-type must be sigmoid or ipo, got '${a.lossType}'`, DPO_SPEC);
  if (a.labelSmoothing >= 0.5)
    throw new UsageError(`--label-smoothing must be below 0.5, got ${a.labelSmoothing}`, DPO_SPEC);
  const compute = await startDevice(a.device, a.threads, DPO_SPEC);
  const policy = await startPolicy(a, 'dpo', DPO_SPEC, io, (gpt) => gpt);
  const { out, generator, resumed, lora, from, model, tokenizer } = policy;
  const reference: ReferenceModel = await referenceOf(policy, io, 'dpo');
  const data = await loadPreferenceData(a, tokenizer, model.config.blockSize);
  /** The pairs, with the reference's log-probabilities when asked (computed once the weights are restored). */
  const withReference = async (set: typeof data.train) =>
    a.precomputeRefLogProbs
      ? set.withReferenceLogps(
          await precomputeReferenceLogpsAsync(model, reference, set, { average: a.lossType === 'ipo' }),
        )
      : set;
  await checkWritable(out);
  const config = {
    model: { ...model.config },
    head: null,
    lora,
    dpo: { ...a, from, out },
  };
  await runStage(io, {
    command: 'dpo',
    a,
    out,
    model,
    tokenizer,
    generator,
    opened: resumed?.opened,
    describe:
      `DPO of ${from} into ${out}: ${data.train.length} training and ${data.val?.length ?? 0} validation pairs from ${a.data}, ` +
      `β ${a.beta}, ${a.lossType} loss, ${lora ? `LoRA r=${lora.r}, reference: the adapters disabled` : 'every weight, reference: a frozen copy'}` +
      `${a.precomputeRefLogProbs ? ' (log-probabilities precomputed)' : ''}, ${a.maxIters} iters of ${a.batchSize} pairs`,
    compute,
    config: () => config,
    headline: ['rewards/accuracies', 'rewards/margins'],
    charts: [
      {
        file: 'margins.svg',
        step: 'rewards/margins',
        eval: 'eval_rewards/margins',
        yLabel: 'rewards/margins',
      },
    ],
    title: `${a.data} · DPO`,
    fields: { from, data: a.data, beta: a.beta, lossType: a.lossType, lora },
    events: async function* (loop) {
      return yield* dpoEvents({
        ...loop,
        model,
        reference: a.precomputeRefLogProbs ? undefined : reference,
        train: await withReference(data.train),
        val: data.val && (await withReference(data.val)),
        evalIters: data.val ? a.evalIters : 0,
        beta: a.beta,
        lossType: a.lossType as 'sigmoid' | 'ipo',
        labelSmoothing: a.labelSmoothing,
      });
    },
  });
  io.stdout.write(`wrote ${out}/{checkpoint.json,ckpt-*,metrics.json,loss.svg,margins.svg}\n`);
});
