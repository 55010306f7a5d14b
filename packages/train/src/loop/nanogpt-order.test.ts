import { GPT } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import reference from '../../fixtures/nanogpt-steps.json';
import { TokenDataset } from '../data/token-dataset.js';
import { AdamW } from '../optim/adam.js';
import { decayParamGroups } from '../optim/param-groups.js';
import { cosineWithWarmup } from '../schedule/lr-schedule.js';
import { pretrain } from './pretrain.js';

type Run = (typeof reference.runs)['bias'];

/** nanoGPT's train.py for a fixture run, seeded like torch.manual_seed(1337): one generator for everything. */
async function replay({ config: c, train: t }: Run, evalBatches: 'random' | 'fixed' = 'random') {
  const generator = new Generator(reference.seed, { algorithm: 'torch' });
  const model = new GPT(
    {
      vocabSize: c.vocab_size,
      blockSize: c.block_size,
      nLayer: c.n_layer,
      nHead: c.n_head,
      nEmbd: c.n_embd,
      bias: c.bias,
    },
    { generator },
  );
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), t.weight_decay), {
    lr: t.lr,
    betas: [0.9, 0.99],
  });
  const { train, val } = new TokenDataset(Int32Array.from(reference.tokens)).split(0.9);
  return pretrain({
    model,
    optimizer,
    train,
    val,
    batchSize: t.batch_size,
    blockSize: c.block_size,
    maxIters: t.max_iters,
    gradAccum: t.grad_accum,
    gradClip: t.grad_clip,
    schedule: cosineWithWarmup({
      lr: t.lr,
      minLr: t.min_lr,
      warmupIters: t.warmup_iters,
      lrDecayIters: t.lr_decay_iters,
    }),
    evalInterval: t.eval_interval,
    evalIters: t.eval_iters,
    evalBatches,
    generator,
  });
}

describe("pretrain with evalBatches 'random' and a 'torch' generator replays nanoGPT's train.py (torch 1.13 fixture)", () => {
  it.each(Object.entries(reference.runs))(
    '%s: same evaluations and step losses (init, batches, eval batches, AdamW, clipping)',
    async (_, run) => {
      const result = await replay(run);
      const close = (got: number[][], want: number[][]) => {
        expect(got.map((r) => r[0])).toEqual(want.map((r) => r[0]));
        got.forEach((row, i) => row.slice(1).forEach((v, j) => expect(v).toBeCloseTo(want[i]![j + 1]!, 5)));
      };
      close(result.history.evals, run.evals);
      close(result.history.steps, run.losses);
    },
  );

  it('fixed evaluation windows draw nothing: the same steps, other evaluation numbers', async () => {
    const run = reference.runs.nobias;
    const result = await replay(run, 'fixed');
    // the training batches then come one after another from the stream, without evaluations between
    expect(result.history.steps[0]![1]).toBeCloseTo(run.losses[0]![1]!, 4);
    expect(result.history.evals[0]![1]).not.toBeCloseTo(run.evals[0]![1]!, 4);
  });
});
