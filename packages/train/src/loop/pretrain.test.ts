import { Generator } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { TokenDataset } from '../data/token-dataset.js';
import { AdamW } from '../optim/adam.js';
import { decayParamGroups } from '../optim/param-groups.js';
import { SGD } from '../optim/sgd.js';
import { cosineWithWarmup } from '../schedule/lr-schedule.js';
import { TinyLM } from '../testing/tiny-lm.js';
import type { TrainEvent } from './events.js';
import { pretrain, pretrainEvents } from './pretrain.js';

/** A learnable stream: a fixed permutation of 12 symbols, repeated with occasional noise. */
function corpus(n = 3000): TokenDataset {
  const g = new Generator(99);
  return new TokenDataset(
    Int32Array.from({ length: n }, (_, i) => (g.uniform() < 0.05 ? g.integer(0, 12) : (i * 5) % 12)),
  );
}

function setup(seed = 1) {
  const { train, val } = corpus().split(0.9);
  const model = new TinyLM(12, 16, new Generator(seed));
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.1), {
    lr: 3e-2,
    betas: [0.9, 0.99],
  });
  return { model, optimizer, train, val, batchSize: 4, blockSize: 8, generator: new Generator(seed + 1) };
}

describe('pretrain', () => {
  it('learns: validation loss falls from ln(12) towards the noise floor', async () => {
    const result = await pretrain({ ...setup(), maxIters: 150, evalInterval: 50, evalIters: 4, gradClip: 1 });
    expect(result.history.evals[0]![2]).toBeGreaterThan(2);
    expect(result.finalValLoss).toBeLessThan(0.8);
    expect(result.bestValLoss).toBe(Math.min(...result.history.evals.map((e) => e[2])));
    expect(result.iters).toBe(150);
    expect(result.tokensPerSec).toBeGreaterThan(0);
  });

  it('reports steps, evaluations at 0, every evalInterval and the end, and checkpoints', async () => {
    const events: TrainEvent[] = [];
    const saved: [number, string][] = [];
    const schedule = cosineWithWarmup({ lr: 1e-2, minLr: 1e-3, warmupIters: 3, lrDecayIters: 20 });
    await pretrain({
      ...setup(),
      maxIters: 25,
      evalInterval: 10,
      evalIters: 2,
      schedule,
      checkpoint: (p, reason) => void saved.push([p.iter, reason]),
      onEvent: (e) => void events.push(e),
    });
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.map((e) => e.iter)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(steps.map((e) => e.lr)).toEqual(Array.from({ length: 25 }, (_, i) => schedule(i)));
    expect(
      steps.every((e) => e.loss > 0 && e.tokensPerSec > 0 && e.etaMs >= 0 && e.gradNorm > 0), // the norm even unclipped
    ).toBe(true);
    expect(steps.at(-1)!.etaMs).toBe(0);
    expect(events.filter((e) => e.type === 'eval').map((e) => e.iter)).toEqual([0, 10, 20, 25]);
    // 'best' on improvement after step 0, then the end (unless the end was just saved as best)
    expect(saved.at(-1)![0]).toBe(25);
    expect(saved.filter(([, r]) => r === 'best').every(([it]) => it > 0)).toBe(true);
    expect(events.filter((e) => e.type === 'checkpoint').length).toBe(saved.length);
  });

  it('gradient accumulation over 2 micro-batches of 4 equals one batch of 8 (nanoGPT: loss / gradAccum)', async () => {
    const a = setup();
    const b = setup();
    const sgdA = new SGD(a.model.parameters(), { lr: 0.5 });
    const sgdB = new SGD(b.model.parameters(), { lr: 0.5 });
    const common = { maxIters: 3, evalIters: 0 };
    const ra = await pretrain({ ...a, ...common, optimizer: sgdA, batchSize: 8 });
    const rb = await pretrain({ ...b, ...common, optimizer: sgdB, batchSize: 4, gradAccum: 2 });
    ra.history.steps.forEach(([, loss], i) => expect(rb.history.steps[i]![1]).toBeCloseTo(loss, 5));
    const pa = a.model.parameters().flatMap((p) => [...p.data.data()]);
    const pb = b.model.parameters().flatMap((p) => [...p.data.data()]);
    pa.forEach((v, i) => expect(pb[i]).toBeCloseTo(v, 5));
  });

  it('is an async iterator whose return value is the result; an abort signal stops it', async () => {
    const controller = new AbortController();
    const it = pretrainEvents({ ...setup(), maxIters: 100, evalIters: 0, signal: controller.signal });
    let steps = 0;
    for (;;) {
      const next = await it.next();
      if (next.done) {
        expect(next.value.aborted).toBe(true);
        expect(next.value.iters).toBe(5);
        break;
      }
      if (next.value.type === 'step' && ++steps === 5) controller.abort();
    }
  });

  it('validates its options', async () => {
    await expect(pretrain({ ...setup(), maxIters: -1 })).rejects.toThrow(/maxIters must be an integer >= 0/);
    await expect(pretrain({ ...setup(), maxIters: 1, gradAccum: 0 })).rejects.toThrow(/gradAccum/);
    await expect(pretrain({ ...setup(), maxIters: 1, evalBatches: 'some' as never })).rejects.toThrow(
      "pretrain: evalBatches must be 'fixed' or 'random', got \"some\"",
    );
    const resume = { iter: 1, bestValLoss: Infinity, history: { steps: [], evals: [] }, nextBatch: [0, 1] };
    await expect(pretrain({ ...setup(), maxIters: 2, resume })).rejects.toThrow(
      'pretrain: resume.nextBatch has 2 offsets but batchSize is 4',
    );
  });
});
