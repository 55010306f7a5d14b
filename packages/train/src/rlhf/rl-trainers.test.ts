import { GPT, GPTWithValueHead } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { createCheckpoint, restoreCheckpoint } from '../checkpoint/checkpoint.js';
import type { StepEvent, TrainEvent } from '../loop/events.js';
import type { TrainProgress } from '../loop/train-loop.js';
import { AdamW } from '../optim/adam.js';
import { grpo } from './grpo.js';
import { FixedKLController } from './kl.js';
import { ppo } from './ppo.js';
import { PromptDataset } from './prompt-dataset.js';
import type { RewardFunction } from './reward-function.js';

const config = { vocabSize: 6, blockSize: 12, nLayer: 1, nHead: 2, nEmbd: 16 };
const letters = 'abcdef';
const decode = (ids: readonly number[]) => ids.map((i) => letters[i]).join('');
/** Counts the a's of a completion: the policy should learn to write them. */
const countA: RewardFunction = (completions) =>
  completions.map((c) => [...c.completion].filter((ch) => ch === 'a').length);
const prompts = new PromptDataset([[1, 2], [3, 4], [5, 1], [2, 2], [4, 5, 3], [1]]);
const generation = { maxNewTokens: 6 };
const steps = (events: TrainEvent[]) => events.filter((e): e is StepEvent => e.type === 'step');
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function ppoRun(o: { reference?: GPT; reward?: RewardFunction; maxIters: number; seed?: number }) {
  const reference = o.reference ?? new GPT(config, { generator: new Generator(1) });
  const model = GPTWithValueHead.fromGPT(reference, { generator: new Generator(2) });
  const optimizer = new AdamW(model.parameters(), { lr: 1e-2 });
  const events: TrainEvent[] = [];
  const options = {
    model,
    reference,
    reward: o.reward ?? countA,
    decode,
    optimizer,
    train: prompts,
    generation,
    batchSize: 8,
    miniBatchSize: 4,
    maxIters: o.maxIters,
    evalInterval: 1000,
    generator: new Generator(o.seed ?? 3),
    onEvent: (e: TrainEvent) => void events.push(e),
  };
  return { model, optimizer, events, options };
}

describe('ppo', () => {
  it('starts at KL exactly 0 and raises the reward, logging TRL stats', async () => {
    const run = ppoRun({ maxIters: 25 });
    await ppo(run.options);
    const s = steps(run.events);
    expect(s[0]!.metrics['objective/kl']).toBe(0);
    expect(s[0]!.metrics['objective/kl_coef']).toBe(0.2);
    for (const name of [
      'objective/entropy',
      'env/reward_mean',
      'ppo/policy/clipfrac',
      'ppo/policy/approxkl',
      'ppo/val/vpred',
      'ppo/loss/value',
    ])
      expect(s[0]!.metrics).toHaveProperty(name);
    const reward = s.map((e) => e.metrics['env/reward_mean']!);
    expect(mean(reward.slice(-5))).toBeGreaterThan(mean(reward.slice(0, 5)) + 1);
    expect(s.at(-1)!.metrics['objective/kl']).toBeGreaterThan(0);
    const evals = run.events.filter((e) => e.type === 'eval');
    expect(evals.map((e) => e.iter)).toEqual([0, 25]);
    expect(evals[1]!.metrics['eval/reward_mean']).toBeGreaterThan(evals[0]!.metrics['eval/reward_mean']!);
    expect(evals[0]!.metrics['eval/kl']).toBe(0);
  });

  it('resumes exactly: the rollouts sample from the checkpointed generator', async () => {
    const run = async (maxIters: number, from?: ReturnType<typeof createCheckpoint>) => {
      const r = ppoRun({ maxIters });
      const resume =
        from &&
        restoreCheckpoint(from, {
          model: r.model,
          optimizer: r.optimizer,
          generators: { data: r.options.generator },
        });
      let saved: ReturnType<typeof createCheckpoint> | undefined;
      const result = await ppo({
        ...r.options,
        klController: new FixedKLController(0.1),
        resume,
        checkpoint: (progress: TrainProgress) => {
          saved = createCheckpoint({
            model: r.model,
            optimizer: r.optimizer,
            progress,
            config: { model: config },
          });
        },
      });
      return { result, saved: saved! };
    };
    const straight = await run(4);
    const second = await run(4, (await run(2)).saved);
    expect(second.result.history.steps).toEqual(straight.result.history.steps);
    expect(second.result.history.stepMetrics).toEqual(straight.result.history.stepMetrics);
  });

  it('names a reward function that returns NaN, and refuses a reference with another vocabulary', async () => {
    const nan: RewardFunction = (cs) => cs.map((_, i) => (i === 2 ? Number.NaN : 0));
    await expect(ppo(ppoRun({ maxIters: 1, reward: nan }).options)).rejects.toThrow(
      /the reward function returned NaN for completion 2 \(prompt "/,
    );
    const short: RewardFunction = () => [1];
    await expect(ppo(ppoRun({ maxIters: 1, reward: short }).options)).rejects.toThrow(
      /returned 1 scores for 8 completions/,
    );
    const run = ppoRun({ maxIters: 1 });
    await expect(ppo({ ...run.options, reference: new GPT({ ...config, vocabSize: 7 }) })).rejects.toThrow(
      /the policy's vocabulary has 6 tokens, the reference's 7/,
    );
  });
});

describe('grpo', () => {
  const grpoRun = async (lossType: 'grpo' | 'dapo', beta = 0) => {
    const reference = new GPT(config, { generator: new Generator(4) });
    const model = new GPT(config, { generator: new Generator(4) });
    const events: TrainEvent[] = [];
    await grpo({
      model,
      reference: beta > 0 ? reference : undefined,
      beta,
      lossType,
      reward: countA,
      decode,
      optimizer: new AdamW(model.parameters(), { lr: 1e-2 }),
      train: prompts,
      generation,
      numGenerations: 4,
      batchSize: 3,
      maxIters: 20,
      evalInterval: 1000,
      generator: new Generator(5),
      onEvent: (e) => void events.push(e),
    });
    return steps(events);
  };

  it('raises the reward with per-sequence (grpo) and per-token (dapo) aggregation, with and without the k3 penalty', async () => {
    for (const [lossType, beta] of [
      ['grpo', 0],
      ['dapo', 0.04],
    ] as const) {
      const s = await grpoRun(lossType, beta);
      const reward = s.map((e) => e.metrics.reward!);
      expect(mean(reward.slice(-5))).toBeGreaterThan(mean(reward.slice(0, 5)) + 0.5);
      expect(Object.keys(s[0]!.metrics)).toEqual(
        expect.arrayContaining([
          'reward',
          'reward_std',
          'frac_reward_zero_std',
          'entropy',
          'clip_ratio/region_mean',
          'completions/mean_length',
        ]),
      );
      if (beta > 0) expect(s[0]!.metrics.kl).toBe(0);
      else expect(s[0]!.metrics).not.toHaveProperty('kl');
    }
  });

  it('needs a reference for beta > 0 and at least two generations per prompt', async () => {
    const model = new GPT(config);
    const o = {
      model,
      reward: countA,
      decode,
      optimizer: new AdamW(model.parameters()),
      train: prompts,
      generation,
      batchSize: 2,
      maxIters: 1,
      generator: new Generator(1),
    };
    await expect(grpo({ ...o, beta: 0.1 })).rejects.toThrow(/beta > 0 needs a reference/);
    await expect(grpo({ ...o, numGenerations: 1 })).rejects.toThrow(/numGenerations must be an integer >= 2/);
  });
});
