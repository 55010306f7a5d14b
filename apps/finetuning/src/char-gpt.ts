import { GPT, type GPTConfig } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { CharTokenizer } from '@proj/tokenizers';
import {
  AdamW,
  type BatchSource,
  cosineWithWarmup,
  decayParamGroups,
  estimateLoss,
  pretrain,
  type TokenDataset,
  type TrainEvent,
} from '@proj/train';

/** The model shape of `proj train`'s default run (nanoGPT's Shakespeare-char CPU shape). */
export const CLI_SHAPE = { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, dropout: 0, bias: false } as const;

/** Options of {@link trainCharGPT}: `proj train`'s optimisation with a given length. */
export interface TrainOptions {
  steps: number;
  batchSize: number;
  /** Peak learning rate (default `proj train`'s 1e-3; the cosine ends at a tenth of it). */
  lr?: number;
  evalInterval: number;
  evalIters: number;
  generator: Generator;
  onEvent?: (event: TrainEvent) => void;
}

/**
 * A character tokenizer over every text given (so a model pretrained on one corpus has ids for the
 * characters of the corpus it is later adapted to, even those it never saw).
 */
export function charTokenizer(texts: Iterable<string>): CharTokenizer {
  return CharTokenizer.fromCorpus(texts);
}

/** A fresh GPT of `shape` over `vocabSize` tokens, initialised from `generator` as nanoGPT. */
export function newGPT(vocabSize: number, shape: Partial<GPTConfig>, generator: Generator): GPT {
  return new GPT({ ...CLI_SHAPE, ...shape, vocabSize }, { generator });
}

/** An independent copy of `model` (weights cloned), with dropout drawing from `generator`. */
export function copyGPT(model: GPT, generator: Generator): GPT {
  const copy = new GPT(model.config, { generator });
  copy.loadStateDict(model.stateDict());
  return copy;
}

/**
 * Trains every trainable parameter of `model` on `train` with `proj train`'s recipe (AdamW β₂ 0.99,
 * weight decay 0.1 on matrices, clipping at 1, warmup then cosine to a tenth of the peak lr), and
 * returns the loop's result with the optimizer's state size (two moments per trainable weight).
 */
export async function trainLM(model: GPT, train: TokenDataset, val: TokenDataset, o: TrainOptions) {
  const lr = o.lr ?? 1e-3;
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.1), { lr, betas: [0.9, 0.99] });
  const warmupIters = Math.min(100, Math.floor(o.steps / 10));
  const result = await pretrain({
    model,
    optimizer,
    train,
    val,
    batchSize: o.batchSize,
    blockSize: model.config.blockSize,
    maxIters: o.steps,
    gradClip: 1,
    schedule: cosineWithWarmup({
      lr,
      minLr: lr / 10,
      warmupIters,
      lrDecayIters: Math.max(o.steps, warmupIters + 1),
    }),
    evalInterval: o.evalInterval,
    evalIters: o.evalIters,
    generator: o.generator,
    onEvent: o.onEvent,
  });
  const optimizerBytes = Object.values(optimizer.stateDict().state).reduce(
    (sum, s) => sum + Object.values(s.buffers).reduce((b, t) => b + t.size * 4, 0),
    0,
  );
  return { result, optimizer, optimizerBytes };
}

/**
 * Median milliseconds of a training step (forward, backward, AdamW) of each model on one batch of
 * `data`, the models taking turns for `rounds` rounds, so that a machine whose load changes over a
 * run slows them all alike (timings of runs made one after another are not comparable here).
 */
export function interleavedStepMs(
  runs: readonly { model: GPT; optimizer: AdamW }[],
  data: BatchSource,
  batchSize: number,
  rounds = 12,
): number[] {
  const { x, y } = data.evalBatch(0, 1, batchSize, runs[0]!.model.config.blockSize);
  const times = runs.map(() => [] as number[]);
  for (let round = 0; round < rounds + 2; round++) {
    runs.forEach(({ model, optimizer }, i) => {
      const start = performance.now();
      model.forward(x, y).loss!.backward();
      optimizer.step();
      optimizer.zeroGrad();
      if (round >= 2) times[i]!.push(performance.now() - start); // two warm-up rounds
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
}

/** Mean loss of `model` on the fixed evaluation windows of `data` (what the loop's evaluations report). */
export function evalLoss(model: GPT, data: TokenDataset, batchSize: number, evalIters: number): number {
  return estimateLoss(model, data, { batchSize, blockSize: model.config.blockSize, evalIters });
}

/** A seeded generator (xoshiro128**). */
export const seeded = (seed: number) => new Generator(seed);
