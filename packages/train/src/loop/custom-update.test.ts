import { Generator } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { TokenDataset } from '../data/token-dataset.js';
import { SGD } from '../optim/sgd.js';
import { TinyLM } from '../testing/tiny-lm.js';
import { TrainingDivergedError } from './diverged.js';
import type { TrainEvent } from './events.js';
import { lossOf } from './model.js';
import type { Update } from './objective.js';
import { runEvents, trainLoopEvents } from './train-loop.js';

const data = new TokenDataset(Int32Array.from({ length: 200 }, (_, i) => i % 7));

type Windows = ReturnType<TokenDataset['batchAt']>;

/** Two optimizer steps per iteration; the second one's loss is NaN at iteration 1. */
const twoSteps =
  (model: TinyLM): Update<Windows> =>
  async (batch, ctx) => {
    let gradNorm = 0;
    for (let k = 0; k < 2; k++) {
      const loss = lossOf(model, batch.x, batch.y);
      loss.backward();
      gradNorm = await ctx.optimizerStep(ctx.iter === 1 && k === 1 ? Number.NaN : loss.item());
    }
    return { loss: 1, gradNorm, tokens: batch.x.size, metrics: { 'objective/kl': ctx.iter } };
  };

function setup() {
  const model = new TinyLM(7, 8, new Generator(1));
  const events: TrainEvent[] = [];
  const options = {
    model,
    optimizer: new SGD(model.parameters(), { lr: 0.1 }),
    train: data,
    batchSize: 2,
    blockSize: 4,
    maxIters: 3,
    evalInterval: 2,
    evalIters: 1,
    generator: new Generator(2),
    update: twoSteps(model),
    evaluate: () => ({ metrics: { 'eval/reward_mean': 1.5 } }),
  };
  return { model, events, options };
}

describe('the loop with an update and an evaluate', () => {
  it('runs several optimizer steps per iteration, logs metrics, and evaluations that measure no loss', async () => {
    const s = setup();
    const result = await runEvents(
      trainLoopEvents({ ...s.options, skipNonFiniteSteps: 1 }),
      (e) => void s.events.push(e),
    );
    const types = s.events.map((e) => `${e.type}:${e.iter}`);
    expect(types).toEqual(['eval:0', 'step:0', 'skip:1', 'eval:2', 'step:2', 'eval:3']);
    expect(result.history.stepMetrics).toEqual([
      [0, { 'objective/kl': 0 }],
      [2, { 'objective/kl': 2 }],
    ]);
    const evals = s.events.filter((e) => e.type === 'eval');
    expect(evals.every((e) => Number.isNaN(e.trainLoss) && Number.isNaN(e.valLoss))).toBe(true);
    expect(evals[0]!.metrics).toEqual({ 'eval/reward_mean': 1.5 });
    expect(result.history.evalMetrics).toHaveLength(3);
  });

  it('stops at a non-finite inner step without skipping', async () => {
    const s = setup();
    await expect(runEvents(trainLoopEvents(s.options))).rejects.toThrow(TrainingDivergedError);
  });
});
