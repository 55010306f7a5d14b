import type { Variable } from '@proj/autograd';
import { Generator, type Tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { createCheckpoint } from '../checkpoint/checkpoint.js';
import { TokenDataset } from '../data/token-dataset.js';
import { AdamW } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import { constantLR, linearDecay } from '../schedule/lr-schedule.js';
import { TinyLM } from '../testing/tiny-lm.js';
import { TrainingDivergedError } from './diverged.js';
import type { TrainEvent } from './events.js';
import type { TrainableLM } from './model.js';
import { pretrain } from './pretrain.js';

const { train, val } = new TokenDataset(Int32Array.from({ length: 800 }, (_, i) => (i * 5) % 12)).split(0.9);
const common = { train, val, batchSize: 4, blockSize: 8, evalIters: 2 };

/** TinyLM whose training forward passes number `poisoned` get a NaN loss (and NaN gradients). */
class FlakyLM implements TrainableLM {
  readonly inner = new TinyLM(12, 16, new Generator(1));
  private calls = 0;

  constructor(private readonly poisoned: ReadonlySet<number>) {}

  get training(): boolean {
    return this.inner.training;
  }

  forward(ids: Tensor, targets?: Tensor): { logits: Variable; loss?: Variable } {
    const out = this.inner.forward(ids, targets);
    if (!this.inner.training || !out.loss) return out;
    return this.poisoned.has(this.calls++) ? { ...out, loss: out.loss.mul(Number.NaN) } : out;
  }

  parameters(): Variable[] {
    return this.inner.parameters();
  }

  train(mode?: boolean): unknown {
    return this.inner.train(mode);
  }

  eval(): unknown {
    return this.inner.eval();
  }
}

const allFinite = (model: TinyLM) => model.parameters().every((p) => p.data.data().every(Number.isFinite));

describe('a diverging run', () => {
  it('stops with TrainingDivergedError before a non-finite update, and checkpoints nothing from it', async () => {
    const model = new TinyLM(12, 16, new Generator(1));
    const optimizer = new SGD(model.parameters(), { lr: 1e30 });
    const checkpoints: number[] = [];
    const error = await pretrain({
      ...common,
      model,
      optimizer,
      maxIters: 50,
      evalInterval: 5,
      alwaysSaveCheckpoint: true,
      generator: new Generator(2),
      // a checkpoint writer: refuses non-finite weights itself
      checkpoint: (progress) => {
        createCheckpoint({ model, optimizer, progress, config: {} });
        checkpoints.push(progress.iter);
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const diverged = error as TrainingDivergedError;
    expect(diverged.message).toMatch(
      /^training diverged (at iter \d+ \(loss|: the evaluation after \d+ steps gave loss)/,
    );
    expect(diverged.message).toMatch(/lr 1\.00e\+30/);
    expect(diverged.lr).toBe(1e30);
    expect(Number.isFinite(diverged.loss) && Number.isFinite(diverged.gradNorm)).toBe(false);
    expect(diverged.iter).toBeLessThan(50);
    expect(allFinite(model)).toBe(true);
    // the run up to the divergence, for metrics and curves
    expect(diverged.result.history.steps.length).toBeGreaterThan(0);
    expect(diverged.result.history.steps.every(([, loss]) => Number.isFinite(loss))).toBe(true);
    expect(diverged.result.iters).toBe(diverged.iter);
    expect(checkpoints.every((iter) => iter <= diverged.iter)).toBe(true);
  });

  it('stops on a non-finite gradient norm even when the loss is finite and clipping is off', async () => {
    const inner = new TinyLM(12, 16, new Generator(1));
    const model: TrainableLM = {
      get training() {
        return inner.training;
      },
      forward: (ids, targets) => {
        const out = inner.forward(ids, targets);
        if (!out.loss || !inner.training) return out;
        // sqrt'(0) is infinite: a finite loss whose gradient holds NaN
        const poison = inner.head.weight.mul(0).sqrt().sum().mul(0);
        return { ...out, loss: out.loss.add(poison) };
      },
      parameters: () => inner.parameters(),
      train: (mode) => inner.train(mode),
      eval: () => inner.eval(),
    };
    const optimizer = new AdamW(inner.parameters(), { lr: 1e-2 });
    const error = await pretrain({
      ...common,
      model,
      optimizer,
      maxIters: 5,
      gradClip: 0,
      generator: new Generator(2),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect((error as TrainingDivergedError).message).toMatch(
      /^training diverged at iter 0 \(loss \d\.\d+, gradient norm NaN, lr 1\.00e-2\)/,
    );
    expect(allFinite(inner)).toBe(true);
  });

  it('with skipNonFiniteSteps, skips such steps (no update, the schedule moves on) up to that many in a row', async () => {
    const model = new FlakyLM(new Set([3, 6, 7, 10, 11, 12]));
    const optimizer = new AdamW(model.parameters(), { lr: 1e-2 });
    const schedule = linearDecay({ from: 1e-2, to: 1e-3, iters: 20 });
    const events: TrainEvent[] = [];
    const options = {
      ...common,
      model,
      optimizer,
      schedule,
      maxIters: 20,
      evalInterval: 0,
      generator: new Generator(2),
    };
    const error = await pretrain({
      ...options,
      skipNonFiniteSteps: 2,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'skip')
          expect(optimizer.stateDict().state[0]!.step).toBe(e.iter - skippedBefore(e.iter));
      },
    }).catch((e: unknown) => e);
    function skippedBefore(iter: number) {
      return events.filter((e) => e.type === 'skip' && e.iter < iter).length;
    }
    const skips = events.filter((e) => e.type === 'skip');
    expect(skips.map((e) => [e.iter, e.inARow])).toEqual([
      [3, 1],
      [6, 1],
      [7, 2],
      [10, 1],
      [11, 2],
    ]);
    for (const e of skips) {
      expect(e.lr).toBe(schedule(e.iter));
      expect(e.loss).toBeNaN();
    }
    const steps = events.filter((e) => e.type === 'step').map((e) => e.iter);
    expect(steps).toEqual([0, 1, 2, 4, 5, 8, 9]);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect((error as TrainingDivergedError).message).toMatch(
      /^training diverged at iter 12 \(loss NaN, gradient norm NaN, lr .*, after 2 skipped steps in a row\)/,
    );
    expect((error as TrainingDivergedError).result.skippedSteps).toBe(5);
    expect(optimizer.stateDict().state[0]!.step).toBe(7); // only the applied steps
    expect(allFinite(model.inner)).toBe(true);

    const other = new FlakyLM(new Set([2]));
    const fine = await pretrain({
      ...options,
      model: other,
      optimizer: new AdamW(other.parameters(), { lr: 1e-2 }),
      skipNonFiniteSteps: 1,
      schedule: constantLR(1e-2),
    });
    expect(fine.skippedSteps).toBe(1);
    expect(fine.iters).toBe(20);
    expect(fine.history.steps.map(([it]) => it)).not.toContain(2);
  });
});
