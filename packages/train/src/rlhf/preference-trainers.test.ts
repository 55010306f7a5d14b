import { applyLoRA, GPT, GPTRewardModel } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { CharTokenizer } from '@proj/tokenizers';
import { describe, expect, it } from 'vitest';
import { createCheckpoint, restoreCheckpoint } from '../checkpoint/checkpoint.js';
import type { TrainEvent } from '../loop/events.js';
import type { TrainProgress } from '../loop/train-loop.js';
import { AdamW } from '../optim/adam.js';
import { dpo, precomputeReferenceLogps } from './dpo.js';
import { PreferenceDataset } from './preference-dataset.js';
import type { PreferenceExample } from './preference-examples.js';
import { rewardModelFunction, trainRewardModel } from './reward-trainer.js';

const EOT = '<|endoftext|>';
const chars = CharTokenizer.fromCorpus('abcdx', { specialTokens: [EOT] });
const config = { vocabSize: chars.vocabSize, blockSize: 12, nLayer: 1, nHead: 2, nEmbd: 16 };

/** Pairs whose chosen completion has more a's than its rejected one (which has b's). */
function pairs(n: number, seed: number): PreferenceExample[] {
  const g = new Generator(seed);
  const word = (letters: string) =>
    Array.from({ length: 4 }, () => letters[g.integer(0, letters.length)]).join('');
  return Array.from({ length: n }, () => ({
    prompt: word('cdx'),
    chosen: word('aac'),
    rejected: word('bbc'),
  }));
}
const data = (n: number, seed: number) =>
  PreferenceDataset.fromExamples(pairs(n, seed), { tokenizer: chars, blockSize: 12 });
const train = data(64, 1);
const val = data(16, 2);
const steps = (events: TrainEvent[]) => events.filter((e) => e.type === 'step');

describe('trainRewardModel', () => {
  it('learns which completion raters prefer, logging accuracy and margin under TRL names', async () => {
    const model = new GPTRewardModel(config, { generator: new Generator(3) });
    const events: TrainEvent[] = [];
    const result = await trainRewardModel({
      model,
      optimizer: new AdamW(model.parameters(), { lr: 1e-2 }),
      train,
      val,
      batchSize: 8,
      maxIters: 40,
      evalInterval: 20,
      evalIters: 2,
      generator: new Generator(4),
      onEvent: (e) => void events.push(e),
    });
    const first = steps(events)[0]!;
    expect(Object.keys(first.metrics).sort()).toEqual([
      'accuracy',
      'margin',
      'rewards/chosen',
      'rewards/rejected',
    ]);
    const last = result.history.evalMetrics!.at(-1)![1];
    expect(last.eval_accuracy).toBe(1);
    expect(last.eval_margin).toBeGreaterThan(1);
    expect(last.train_accuracy).toBe(1);
    // the trained model scores new text as a reward function
    const score = rewardModelFunction(model, { padId: chars.specialTokens.get(EOT) });
    const ids = (s: string) => chars.encode(s, { allowedSpecial: 'all' });
    const [good, bad] = await score([
      { prompt: 'cd', completion: 'aaca', promptIds: ids('cd'), completionIds: ids(`aaca${EOT}`) },
      { prompt: 'cd', completion: 'bbcb', promptIds: ids('cd'), completionIds: ids(`bbcb${EOT}`) },
    ]);
    expect(good).toBeGreaterThan(bad!);
  });

  it('resumes exactly: 6 steps, a checkpoint and 6 more give the losses and metrics of 12 straight', async () => {
    const run = async (maxIters: number, from?: ReturnType<typeof createCheckpoint>) => {
      const model = new GPTRewardModel(config, { generator: new Generator(5) });
      const optimizer = new AdamW(model.parameters(), { lr: 1e-2 });
      const generator = new Generator(6);
      const resume = from && restoreCheckpoint(from, { model, optimizer, generators: { data: generator } });
      let saved: ReturnType<typeof createCheckpoint> | undefined;
      const result = await trainRewardModel({
        model,
        optimizer,
        train,
        val,
        batchSize: 4,
        maxIters,
        evalInterval: 3,
        evalIters: 1,
        generator,
        resume,
        checkpoint: (progress: TrainProgress) => {
          saved = createCheckpoint({ model, optimizer, progress, config: { model: config } });
        },
      });
      return { result, saved: saved! };
    };
    const straight = await run(12);
    const first = await run(6);
    const second = await run(12, first.saved);
    expect(second.result.history).toEqual(straight.result.history);
    expect(straight.result.history.stepMetrics).toHaveLength(12);
  });
});

describe('dpo', () => {
  it('prefers the chosen completions: the margin grows from 0, accuracies reach 1, loss starts at ln 2', async () => {
    const reference = new GPT(config, { generator: new Generator(7) });
    const model = new GPT(config, { generator: new Generator(7) });
    const events: TrainEvent[] = [];
    await dpo({
      model,
      reference,
      optimizer: new AdamW(model.parameters(), { lr: 1e-2 }),
      train,
      val,
      batchSize: 8,
      maxIters: 30,
      evalInterval: 30,
      evalIters: 2,
      beta: 0.1,
      generator: new Generator(8),
      onEvent: (e) => void events.push(e),
    });
    const [first, ...rest] = steps(events);
    expect(first!.loss).toBeCloseTo(Math.LN2, 6);
    expect(first!.metrics['rewards/margins']).toBe(0);
    expect(Object.keys(first!.metrics).sort()).toEqual([
      'logps/chosen',
      'logps/rejected',
      'rewards/accuracies',
      'rewards/chosen',
      'rewards/margins',
      'rewards/rejected',
    ]);
    const last = rest.at(-1)!;
    expect(last.metrics['rewards/margins']).toBeGreaterThan(1);
    const evals = events.filter((e) => e.type === 'eval');
    expect(evals.at(-1)!.metrics['eval_rewards/accuracies']).toBe(1);
  });

  it('gets the same first steps from a frozen copy, from disabled LoRA adapters and from precomputed log-probabilities', async () => {
    const firstSteps = async (mode: 'copy' | 'adapters' | 'precomputed') => {
      const model = new GPT(config, { generator: new Generator(9) });
      applyLoRA(model, { r: 2, targetModules: ['c_attn'], generator: new Generator(10) });
      const copy = new GPT(config, { generator: new Generator(9) });
      const trainData =
        mode === 'precomputed'
          ? train.withReferenceLogps(precomputeReferenceLogps(model, 'adapters', train))
          : train;
      const events: TrainEvent[] = [];
      await dpo({
        model,
        reference: mode === 'copy' ? copy : mode === 'adapters' ? 'adapters' : undefined,
        optimizer: new AdamW(
          model.parameters().filter((p) => p.requiresGrad),
          { lr: 1e-2 },
        ),
        train: trainData,
        batchSize: 4,
        maxIters: 3,
        evalIters: 0,
        generator: new Generator(11),
        onEvent: (e) => void events.push(e),
      });
      return steps(events).map((e) => [e.loss, e.metrics]);
    };
    const copy = await firstSteps('copy');
    expect(await firstSteps('adapters')).toEqual(copy);
    const precomputed = await firstSteps('precomputed');
    precomputed.forEach(([loss], i) => expect(loss).toBeCloseTo(copy[i]![0] as number, 5));
  });

  it('refuses a reference with another vocabulary, and a batch with no reference at all', async () => {
    const model = new GPT(config);
    const options = {
      model,
      optimizer: new AdamW(model.parameters()),
      train,
      batchSize: 2,
      maxIters: 1,
      evalIters: 0,
      generator: new Generator(1),
    };
    await expect(dpo({ ...options, reference: new GPT({ ...config, vocabSize: 99 }) })).rejects.toThrow(
      /policy's vocabulary has 6 tokens, the reference's 99/,
    );
    await expect(dpo(options)).rejects.toThrow(
      /no precomputed reference log-probabilities and no reference model/,
    );
  });
});
