import { Variable } from '@proj/autograd';
import { applyLoRA, GPT, GPTRewardModel, IGNORE_INDEX, type Module } from '@proj/nn';
import {
  backendName,
  Generator,
  isDeviceStorage,
  randn,
  registerBackend,
  setBackend,
  tensor,
} from '@proj/tensor';
import { createEmulatedDeviceBackend } from '@proj/tensor/testing';
import { CharTokenizer } from '@proj/tokenizers';
import { describe, expect, it } from 'vitest';
import { SFTDataset } from '../data/sft-dataset.js';
import type { TrainResult } from '../loop/events.js';
import { finetune } from '../loop/finetune.js';
import { AdamW } from '../optim/adam.js';
import { dpo, precomputeReferenceLogpsAsync } from './dpo.js';
import { tokenLogprobs } from './logprobs.js';
import { PreferenceDataset } from './preference-dataset.js';
import { trainRewardModel } from './reward-trainer.js';

/**
 * Finetuning, the reward model and DPO on a backend whose memory the CPU reads only asynchronously
 * (the emulated device: the JS kernels behind opaque storage, as a GPU holds tensors). Every
 * synchronous read of a loss, a metric or a log-probability would throw there; each run must keep
 * its weights in device memory and give the CPU's losses and metrics (float32 rounding apart: the
 * device reduces in float32 where the CPU reduces in float64).
 */
registerBackend(createEmulatedDeviceBackend({ name: 'trainers-device' }));

const EOT = '<|endoftext|>';
const chars = CharTokenizer.fromCorpus('abcdx', { specialTokens: [EOT] });
const config = { vocabSize: chars.vocabSize, blockSize: 12, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0.1 };
const examples = Array.from({ length: 12 }, (_, i) => ({
  prompt: ['cx', 'dx', 'xc'][i % 3]!,
  chosen: ['aac', 'aca'][i % 2]!,
  rejected: ['bbc', 'bcb'][i % 2]!,
  margin: i % 4,
}));
const pairs = PreferenceDataset.fromExamples(examples, { tokenizer: chars, blockSize: 12 });
const sft = SFTDataset.fromExamples(
  examples.map((e) => ({ prompt: e.prompt, completion: e.chosen })),
  { tokenizer: chars, blockSize: 12 },
);
const LOOP = { batchSize: 4, maxIters: 4, evalInterval: 2, evalIters: 1, gradClip: 1 };

/** A policy (seeded), with LoRA adapters (dropout on) when asked. */
function policy(lora: boolean): GPT {
  const model = new GPT(config, { generator: new Generator(1) });
  if (lora)
    applyLoRA(model, {
      r: 2,
      alpha: 4,
      dropout: 0.1,
      targetModules: ['c_attn'],
      generator: new Generator(2),
    });
  return model;
}

/** What every run passes its trainer: AdamW over the model's trainable weights, a generator, {@link LOOP}. */
function common(model: Module) {
  const optimizer = new AdamW(
    model.parameters().filter((p) => p.requiresGrad),
    { lr: 1e-2 },
  );
  return { optimizer, generator: new Generator(3), ...LOOP };
}
type Common = ReturnType<typeof common>;

/** A run: builds its model, trains it with {@link common} options, and resolves with both. */
function run<M extends Module>(
  build: () => M,
  train: (model: M, options: Common) => Promise<TrainResult>,
): () => Promise<{ model: Module; result: TrainResult }> {
  return async () => {
    const model = build();
    return { model, result: await train(model, common(model)) };
  };
}

const RUNS: Record<string, ReturnType<typeof run>> = {
  'full finetuning': run(
    () => policy(false),
    (model, o) => finetune({ model, train: sft, val: sft, ...o }),
  ),
  'LoRA finetuning': run(
    () => policy(true),
    (model, o) => finetune({ model, train: sft, ...o }),
  ),
  'a reward model': run(
    () => new GPTRewardModel(config, { generator: new Generator(4) }),
    (model, o) => trainRewardModel({ model, train: pairs, val: pairs, centerRewardsCoefficient: 0.01, ...o }),
  ),
  'DPO against a frozen copy': run(
    () => policy(false),
    (model, o) =>
      dpo({
        model,
        reference: new GPT(config, { generator: new Generator(1) }),
        train: pairs,
        val: pairs,
        ...o,
      }),
  ),
  'DPO against disabled adapters (IPO)': run(
    () => policy(true),
    (model, o) => dpo({ model, reference: 'adapters', lossType: 'ipo', train: pairs, ...o }),
  ),
  'DPO on precomputed log-probabilities': run(
    () => policy(true),
    async (model, o) => {
      const train = pairs.withReferenceLogps(await precomputeReferenceLogpsAsync(model, 'adapters', pairs));
      return dpo({ model, train, ...o });
    },
  ),
};

/** Runs `fn` with backend `name` active (creation ops place tensors there). */
async function on<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const previous = backendName();
  setBackend(name);
  try {
    return await fn();
  } finally {
    setBackend(previous);
  }
}

const close = (a: number, b: number, what: string) =>
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(b)));

describe.each(Object.keys(RUNS))('%s on a device backend', (name) => {
  it("keeps the weights in device memory and gives the CPU's losses and metrics", async () => {
    const host = await on('js', RUNS[name]!);
    const device = await on('trainers-device', RUNS[name]!);
    expect(device.model.parameters().every((p) => isDeviceStorage(p.data.buffer))).toBe(true);
    const [h, d] = [host.result.history, device.result.history];
    expect(d.steps).toHaveLength(LOOP.maxIters);
    d.steps.forEach(([, loss], i) => close(loss, h.steps[i]![1], `step ${i} loss`));
    d.evals.forEach(([, train], i) => close(train, h.evals[i]![1], `eval ${i} train loss`));
    for (const [kind, list] of [
      ['step', d.stepMetrics],
      ['eval', d.evalMetrics],
    ] as const) {
      const reference = kind === 'step' ? h.stepMetrics : h.evalMetrics;
      expect(list?.length ?? 0).toBe(reference?.length ?? 0);
      list?.forEach(([, metrics], i) => {
        expect(Object.keys(metrics)).toEqual(Object.keys(reference![i]![1]));
        for (const [metric, value] of Object.entries(metrics))
          close(value, reference![i]![1][metric]!, `${kind} ${i} ${metric}`);
      });
    }
  });
});

describe('tokenLogprobs with its inputs in device memory', () => {
  it("gives the CPU's values, and NaN for a target outside the vocabulary (a GPU cannot throw)", async () => {
    const logits = randn([2, 3, 5], { generator: new Generator(5) });
    const targets = [
      [3, IGNORE_INDEX, 0],
      [4, 1, 2],
    ];
    const host = tokenLogprobs(new Variable(logits), tensor(targets, { dtype: 'int32' })).data;
    const device = await on('trainers-device', async () => {
      const bad = targets.map((row) => row.map((t) => (t === 2 ? 7 : t)));
      const onDevice = (ids: number[][]) =>
        tokenLogprobs(
          new Variable(tensor([...logits.data()]).reshape([2, 3, 5])),
          tensor(ids, { dtype: 'int32' }),
        );
      return { good: onDevice(targets).data, bad: onDevice(bad).data };
    });
    expect(isDeviceStorage(device.good.buffer)).toBe(true);
    const expected = [...host.data()];
    (await device.good.dataAsync()).forEach((v, i) => close(v, expected[i]!, `log-probability ${i}`));
    const bad = [...(await device.bad.dataAsync())];
    expect(bad[5]).toBeNaN();
    expect(bad.filter(Number.isNaN)).toHaveLength(1);
  });
});
