import { Generator, saveSafetensors } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { TokenDataset } from '../data/token-dataset.js';
import { type PretrainOptions, pretrain } from '../loop/pretrain.js';
import type { TrainProgress } from '../loop/train-loop.js';
import { AdamW } from '../optim/adam.js';
import { decayParamGroups } from '../optim/param-groups.js';
import { cosineWithWarmup } from '../schedule/lr-schedule.js';
import { TinyLM } from '../testing/tiny-lm.js';
import { type Checkpoint, createCheckpoint, restoreCheckpoint } from './checkpoint.js';
import { CheckpointError } from './errors.js';
import { digest } from './state.js';

const data = new TokenDataset(Int32Array.from({ length: 2000 }, (_, i) => (i * 7 + (i >> 3)) % 10)).split();

type Sampling = { evalBatches: 'fixed' | 'random'; algorithm: 'xoshiro128**' | 'torch'; cut?: number };

/** A fresh run: model (with dropout, so its generator matters), AdamW groups, schedule, sampler. */
function run(sampling: Sampling = { evalBatches: 'fixed', algorithm: 'xoshiro128**' }) {
  const modelGen = new Generator(5);
  const model = new TinyLM(10, 12, modelGen, 0.1);
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.1), {
    lr: 1e-2,
    betas: [0.9, 0.99],
  });
  const options: PretrainOptions = {
    model,
    optimizer,
    ...data,
    batchSize: 3,
    blockSize: 6,
    maxIters: 20,
    gradClip: 1,
    evalInterval: 5,
    evalIters: 2,
    schedule: cosineWithWarmup({ lr: 1e-2, minLr: 1e-3, warmupIters: 4, lrDecayIters: 20 }),
    evalBatches: sampling.evalBatches,
    generator: new Generator(6, { algorithm: sampling.algorithm }),
  };
  return { model, optimizer, modelGen, options };
}

function snapshot(r: ReturnType<typeof run>, progress: TrainProgress): Checkpoint {
  return createCheckpoint({
    model: r.model,
    optimizer: r.optimizer,
    progress,
    config: { vocabSize: 10 },
    generators: { model: r.modelGen },
  });
}

describe('checkpoints', () => {
  it.each<Sampling>([
    { evalBatches: 'fixed', algorithm: 'xoshiro128**' },
    { evalBatches: 'random', algorithm: 'torch' },
    // cut between evaluations: the extra evaluation at the end of the first part must not shift the stream
    { evalBatches: 'random', algorithm: 'torch', cut: 7 },
  ])(
    '10 steps + save + resume + 10 steps gives bitwise the losses and weights of 20 straight steps (%o)',
    async (sampling) => {
      const cut = sampling.cut ?? 10;
      const straight = run(sampling);
      const full = await pretrain(straight.options);

      const first = run(sampling);
      let saved: Checkpoint | undefined;
      await pretrain({
        ...first.options,
        maxIters: cut,
        checkpoint: (p) => void (saved = snapshot(first, p)),
      });
      expect(saved!.state.iter).toBe(cut);
      expect(saved!.state.nextBatch).toHaveLength(3); // the next step's batch, drawn before the evaluation at the cut

      const second = run(sampling); // fresh weights, optimizer and generators: everything must come from the checkpoint
      // state.json goes through text, as it would on disk
      const ckpt = { ...saved!, state: JSON.parse(JSON.stringify(saved!.state)) };
      const resume = restoreCheckpoint(ckpt, {
        model: second.model,
        optimizer: second.optimizer,
        generators: { data: second.options.generator, model: second.modelGen },
      });
      const rest = await pretrain({ ...second.options, resume });

      expect(rest.history.steps).toEqual(full.history.steps);
      // the same evaluations, and the first part's extra one at the cut when that is off the schedule
      expect(rest.history.evals.filter(([it]) => it !== cut || cut % 5 === 0)).toEqual(full.history.evals);
      expect(rest.history.steps.map(([it]) => it)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(rest.finalValLoss).toBe(full.finalValLoss);
      const weights = (m: TinyLM) => m.parameters().map((p) => [...p.data.data()]);
      expect(weights(second.model)).toEqual(weights(straight.model));
    },
  );

  it('records iteration, best loss, config, generator states and file digests in state.json', async () => {
    const r = run();
    let saved: Checkpoint | undefined;
    await pretrain({ ...r.options, maxIters: 5, checkpoint: (p) => void (saved = snapshot(r, p)) });
    const { state } = saved!;
    expect(state.iter).toBe(5);
    expect(state.bestValLoss).toBeLessThan(3);
    expect(state.config).toEqual({ vocabSize: 10 });
    expect(Object.keys(state.rng).sort()).toEqual(['data', 'model']);
    expect(state.files.model.bytes).toBe(saved!.model.length);
    expect(state.history.steps).toHaveLength(5);
  });

  it('refuses corrupt or mismatched files with a CheckpointError', async () => {
    const r = run();
    let saved: Checkpoint | undefined;
    await pretrain({ ...r.options, maxIters: 2, checkpoint: (p) => void (saved = snapshot(r, p)) });
    const corrupt = { ...saved!, model: saved!.model.slice() };
    corrupt.model[corrupt.model.length - 1]! ^= 1;
    expect(() => restoreCheckpoint(corrupt, { model: run().model })).toThrow(CheckpointError);
    expect(() => restoreCheckpoint(corrupt, { model: run().model })).toThrow(/model.safetensors is corrupt/);
    const other = new TinyLM(10, 8, new Generator(0));
    expect(() => restoreCheckpoint(saved!, { model: other })).toThrow(/does not fit the model: .*misshaped/);
    expect(() =>
      restoreCheckpoint(saved!, { model: run().model, generators: { nope: new Generator(0) } }),
    ).toThrow(/no state for generator "nope"/);
  });

  it('refuses weights that are NaN or infinite, written or read', async () => {
    const r = run();
    let saved: Checkpoint | undefined;
    await pretrain({ ...r.options, maxIters: 2, checkpoint: (p) => void (saved = snapshot(r, p)) });
    const weights = r.model.stateDict();
    weights['head.weight']!.storage[3] = Number.POSITIVE_INFINITY;
    expect(() =>
      snapshot(r, {
        iter: 2,
        bestValLoss: 1,
        history: { steps: [], evals: [] },
        generator: new Generator(0).getState(),
      }),
    ).toThrow(/refusing to checkpoint non-finite weights: head.weight holds Infinity at index 3/);
    // a file written before this check existed (by a diverged run)
    const model = saveSafetensors(weights, { format: 'pt' });
    const nan = {
      ...saved!,
      model,
      state: { ...saved!.state, files: { ...saved!.state.files, model: digest(model) } },
    };
    expect(() => restoreCheckpoint(nan, { model: run().model })).toThrow(
      /model.safetensors holds non-finite weights: head.weight holds Infinity at index 3/,
    );
  });
});
