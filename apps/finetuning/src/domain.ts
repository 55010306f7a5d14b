import { applyLoRA, trainableParameters } from '@proj/nn';
import { TokenDataset } from '@proj/train';
import { charTokenizer, copyGPT, evalLoss, interleavedStepMs, newGPT, seeded, trainLM } from './char-gpt.js';
import type { Log } from './log.js';

/** Options of {@link domainAdaptation}. */
export interface DomainOptions {
  /** The corpus the base model learns first, and its name. */
  source: { name: string; text: string };
  /** The corpus it is adapted to (the State of the Union addresses), and its name. */
  target: { name: string; text: string };
  /** Steps of pretraining on the source. */
  pretrainSteps: number;
  /** Steps of each adaptation (and of the from-scratch run it is compared with). */
  finetuneSteps: number;
  /** LoRA ranks to compare (adapters on every linear layer: `c_attn`, `c_fc`, `c_proj`; alpha = 2r). */
  ranks: number[];
  /** Peak learning rate of full training (1e-3, `proj train`'s) and of LoRA (higher, as usual for adapters). */
  lr: { full: number; lora: number };
  batchSize: number;
  evalInterval: number;
  evalIters: number;
  /** Overrides of `proj train`'s default model shape (tests use a tiny one). */
  shape?: { nLayer?: number; nHead?: number; nEmbd?: number; blockSize?: number };
  seed: number;
}

/** One way of getting a model for the target corpus. */
export interface DomainVariant {
  name: string;
  lr: number;
  trainable: number;
  /** Target validation loss after each evaluation: `[step, loss]`. */
  curve: [number, number][];
  finalValLoss: number;
  /** Median step time, the variants' steps interleaved after training (see `interleavedStepMs`). */
  msPerStep: number;
  /** AdamW state (two float32 moments per trainable weight). */
  optimizerBytes: number;
}

/** What {@link domainAdaptation} measured. */
export interface DomainResults {
  source: string;
  target: string;
  vocabSize: number;
  parameters: number;
  pretrain: { steps: number; seconds: number; sourceValLoss: number; targetValLoss: number };
  variants: DomainVariant[];
}

/**
 * Domain adaptation measured: a char GPT pretrained on `source`, then trained `finetuneSteps` more on
 * `target` — every weight, or LoRA adapters of each rank with the rest frozen — against a model of the
 * same shape trained from scratch for as many steps. All runs see the same target batches (one seed).
 */
export async function domainAdaptation(o: DomainOptions, log: Log): Promise<DomainResults> {
  const tokenizer = charTokenizer([o.source.text, o.target.text]);
  const split = (text: string) => new TokenDataset(Uint16Array.from(tokenizer.encode(text))).split(0.9);
  const [source, target] = [split(o.source.text), split(o.target.text)];
  const evalOf = (model: Parameters<typeof evalLoss>[0], data: TokenDataset) =>
    evalLoss(model, data, o.batchSize, o.evalIters);

  log(`pretraining on ${o.source.name} (${o.pretrainSteps} steps, vocabulary ${tokenizer.vocabSize})`);
  const base = newGPT(tokenizer.vocabSize, o.shape ?? {}, seeded(o.seed));
  const t0 = performance.now();
  await trainLM(base, source.train, source.val, {
    steps: o.pretrainSteps,
    batchSize: o.batchSize,
    evalInterval: 0,
    evalIters: o.evalIters,
    lr: o.lr.full,
    generator: seeded(o.seed + 1),
  });
  const pretrained = {
    steps: o.pretrainSteps,
    seconds: (performance.now() - t0) / 1000,
    sourceValLoss: evalOf(base, source.val),
    targetValLoss: evalOf(base, target.val),
  };
  log(
    `base: ${o.source.name} val loss ${pretrained.sourceValLoss.toFixed(4)}, ${o.target.name} val loss ${pretrained.targetValLoss.toFixed(4)} before adaptation (${pretrained.seconds.toFixed(0)} s)`,
  );

  const variants: DomainVariant[] = [];
  const trained: Parameters<typeof interleavedStepMs>[0][number][] = [];
  const run = async (name: string, model: ReturnType<typeof copyGPT>, lr: number) => {
    const curve: [number, number][] = [];
    const { result, optimizer, optimizerBytes } = await trainLM(model, target.train, target.val, {
      steps: o.finetuneSteps,
      batchSize: o.batchSize,
      lr,
      evalInterval: o.evalInterval,
      evalIters: o.evalIters,
      generator: seeded(o.seed + 2),
      onEvent: (e) => void (e.type === 'eval' && curve.push([e.iter, e.valLoss])),
    });
    const variant = {
      name,
      lr,
      trainable: trainableParameters(model).trainable,
      curve,
      finalValLoss: result.finalValLoss,
      msPerStep: Number.NaN,
      optimizerBytes,
    };
    log(
      `${name}: ${o.target.name} val loss ${variant.finalValLoss.toFixed(4)}, ${variant.trainable} trainable`,
    );
    variants.push(variant);
    trained.push({ model, optimizer });
  };
  await run('from scratch', newGPT(tokenizer.vocabSize, o.shape ?? {}, seeded(o.seed)), o.lr.full);
  await run('full finetuning', copyGPT(base, seeded(o.seed)), o.lr.full);
  for (const r of o.ranks) {
    const model = copyGPT(base, seeded(o.seed));
    applyLoRA(model, {
      r,
      alpha: 2 * r,
      targetModules: ['c_attn', 'c_fc', 'c_proj'],
      generator: seeded(o.seed + 3),
    });
    await run(`LoRA r=${r}`, model, o.lr.lora);
  }
  interleavedStepMs(trained, target.train, o.batchSize).forEach((ms, i) => {
    variants[i]!.msPerStep = ms;
  });
  return {
    source: o.source.name,
    target: o.target.name,
    vocabSize: tokenizer.vocabSize,
    parameters: base.numParameters({ nonEmbedding: false }),
    pretrain: pretrained,
    variants,
  };
}
