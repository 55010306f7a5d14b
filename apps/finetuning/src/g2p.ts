import { applyLoRA, type GPT, generate, trainableParameters } from '@proj/nn';
import { tensor } from '@proj/tensor';
import type { CharTokenizer } from '@proj/tokenizers';
import { AdamW, cosineWithWarmup, decayParamGroups, finetune, SFTDataset, TokenDataset } from '@proj/train';
import { type CmudictEntry, ErrorRateCounter, type ErrorRates, stripStress } from 'demo-data';
import { charTokenizer, copyGPT, interleavedStepMs, newGPT, seeded, trainLM } from './char-gpt.js';
import type { Log } from './log.js';

/** The prompt of a word: `word: hello\nphonemes:`. */
export const promptOf = (word: string) => `word: ${word}\nphonemes:`;
/** The completion the model learns: ` HH AH0 L OW1\n` (the newline ends it). */
export const completionOf = (phonemes: string) => ` ${phonemes}\n`;

/** Options of {@link g2pFinetuning}. */
export interface G2POptions {
  /** The base model's pretraining corpus (SOTU) and its name. */
  corpus: { name: string; text: string };
  /** CMUdict's shared split (`cmudict()` of demo-data), possibly cut for a quick run. */
  words: { train: CmudictEntry[]; valid: CmudictEntry[]; test: CmudictEntry[] };
  pretrainSteps: number;
  sftSteps: number;
  /** Examples per SFT batch (pretraining uses `proj train`'s 12 windows). */
  batchSize: number;
  /** LoRA rank (adapters on every linear layer, alpha = 2r). */
  loraRank: number;
  lr: { full: number; lora: number };
  evalInterval: number;
  evalIters: number;
  /** Context of the model: prompt and completion of 99.9% of CMUdict's words fit in 80 characters. */
  blockSize: number;
  shape?: { nLayer?: number; nHead?: number; nEmbd?: number };
  seed: number;
}

/** One finetuning of the base model, and its scores on the test words. */
export interface G2PVariant {
  name: string;
  completionOnlyLoss: boolean;
  lora: boolean;
  trainable: number;
  /** Validation loss on completion tokens (the masked loss, whatever the variant trained on). */
  valLoss: number;
  /** Wall time of the finetuning (the machine's load changes between variants). */
  seconds: number;
  /** Median step time, the variants' steps interleaved after training (see `interleavedStepMs`). */
  msPerStep: number;
  /** With stress digits, as CMUdict writes them. */
  stressed: ErrorRates;
  /** Stress digits removed from outputs and references (39 phonemes). */
  unstressed: ErrorRates;
  /** A few test words with the model's greedy output. */
  examples: { word: string; expected: string; got: string }[];
}

/** What {@link g2pFinetuning} measured. */
export interface G2PResults {
  corpus: string;
  vocabSize: number;
  parameters: number;
  words: { train: number; valid: number; test: number };
  truncated: { prompts: number; completions: number };
  pretrain: { steps: number; seconds: number; valLoss: number };
  variants: G2PVariant[];
}

/**
 * Instruction-style SFT measured on CMUdict: a char GPT pretrained on `corpus` learns to answer
 * `word: <spelling>\nphonemes:` with the pronunciation, (1) every weight with the loss on completions
 * only, (2) every weight with the loss on every token, (3) LoRA adapters with the completion-only
 * loss. Each is scored by greedy decoding of the test words: WER (the output matches none of the
 * word's pronunciations) and PER (edits to the closest one).
 */
export async function g2pFinetuning(o: G2POptions, log: Log): Promise<G2PResults> {
  const all = [...o.words.train, ...o.words.valid, ...o.words.test];
  const tokenizer = charTokenizer([
    o.corpus.text,
    promptOf(''),
    ...all.map((e) => e.word + e.pronunciations.join(' ')),
  ]);
  const examples = (entries: CmudictEntry[]) =>
    entries.map((e) => ({ prompt: promptOf(e.word), completion: completionOf(e.pronunciations[0]!) }));

  log(`pretraining on ${o.corpus.name} (${o.pretrainSteps} steps, context ${o.blockSize})`);
  const corpus = new TokenDataset(Uint16Array.from(tokenizer.encode(o.corpus.text))).split(0.9);
  const base = newGPT(tokenizer.vocabSize, { ...o.shape, blockSize: o.blockSize }, seeded(o.seed));
  const t0 = performance.now();
  const pre = await trainLM(base, corpus.train, corpus.val, {
    steps: o.pretrainSteps,
    batchSize: 12,
    lr: o.lr.full,
    evalInterval: 0,
    evalIters: o.evalIters,
    generator: seeded(o.seed + 1),
  });
  const pretrain = {
    steps: o.pretrainSteps,
    seconds: (performance.now() - t0) / 1000,
    valLoss: pre.result.finalValLoss,
  };
  log(`base: ${o.corpus.name} val loss ${pretrain.valLoss.toFixed(4)} (${pretrain.seconds.toFixed(0)} s)`);

  const fit = (entries: CmudictEntry[], completionOnlyLoss: boolean) =>
    SFTDataset.fromExamples(examples(entries), {
      tokenizer,
      blockSize: o.blockSize,
      eosId: null, // a char tokenizer has no end token: the newline ends each completion
      completionOnlyLoss,
    });
  const valid = fit(o.words.valid, true);
  const trainSets = new Map(
    [true, false].map((completionOnly) => [completionOnly, fit(o.words.train, completionOnly)]),
  );
  const variants: G2PVariant[] = [];
  const trained: Parameters<typeof interleavedStepMs>[0][number][] = [];
  for (const v of [
    { name: 'full, loss on completions', completionOnlyLoss: true, lora: false },
    { name: 'full, loss on every token', completionOnlyLoss: false, lora: false },
    { name: `LoRA r=${o.loraRank}, loss on completions`, completionOnlyLoss: true, lora: true },
  ]) {
    const model = copyGPT(base, seeded(o.seed));
    if (v.lora)
      applyLoRA(model, {
        r: o.loraRank,
        alpha: 2 * o.loraRank,
        targetModules: ['c_attn', 'c_fc', 'c_proj'],
        generator: seeded(o.seed + 3),
      });
    const lr = v.lora ? o.lr.lora : o.lr.full;
    const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0), { lr });
    const start = performance.now();
    const result = await finetune({
      model,
      optimizer,
      train: trainSets.get(v.completionOnlyLoss)!,
      val: valid,
      batchSize: o.batchSize,
      maxIters: o.sftSteps,
      gradClip: 1,
      schedule: cosineWithWarmup({
        lr,
        minLr: lr / 10,
        warmupIters: Math.floor(o.sftSteps / 10),
        lrDecayIters: o.sftSteps,
      }),
      evalInterval: o.evalInterval,
      evalIters: o.evalIters,
      generator: seeded(o.seed + 2),
    });
    const seconds = (performance.now() - start) / 1000;
    const scored = scoreWords(model, tokenizer, o.words.test);
    const variant = {
      ...v,
      trainable: trainableParameters(model).trainable,
      valLoss: result.finalValLoss,
      seconds,
      msPerStep: Number.NaN,
      ...scored,
    };
    log(
      `${v.name}: WER ${(100 * scored.stressed.wer).toFixed(2)}%, PER ${(100 * scored.stressed.per).toFixed(2)}% ` +
        `(no stress: ${(100 * scored.unstressed.wer).toFixed(2)}% / ${(100 * scored.unstressed.per).toFixed(2)}%), ${seconds.toFixed(0)} s`,
    );
    variants.push(variant);
    trained.push({ model: model.train(), optimizer });
  }
  interleavedStepMs(trained, trainSets.get(true)!, o.batchSize).forEach((ms, i) => {
    variants[i]!.msPerStep = ms;
  });
  const { stats } = trainSets.get(true)!;
  return {
    corpus: o.corpus.name,
    vocabSize: tokenizer.vocabSize,
    parameters: base.numParameters({ nonEmbedding: false }),
    words: { train: o.words.train.length, valid: o.words.valid.length, test: o.words.test.length },
    truncated: { prompts: stats.promptTruncated, completions: stats.completionTruncated },
    pretrain,
    variants,
  };
}

/** The phonemes a model writes for `word`, greedily, up to the newline that ends a completion. */
export function pronounce(model: GPT, tokenizer: CharTokenizer, words: readonly string[]): string[] {
  const prompts = words.map((w) => tokenizer.encode(promptOf(w)));
  const newline = tokenizer.encode('\n')[0]!;
  const room = Math.max(1, model.config.blockSize - Math.max(...prompts.map((p) => p.length)));
  const ids = generate(model, tensor(prompts, { dtype: 'int32' }), {
    maxNewTokens: room,
    temperature: 0,
    stopTokens: [newline],
  }).toArray() as number[][];
  return ids.map((row, i) => tokenizer.decode(row.slice(prompts[i]!.length)).split('\n')[0]!.trim());
}

/**
 * Greedy outputs for every test word, decoded in batches of words of equal prompt length (so no
 * padding is needed), and their error rates with and without stress.
 */
function scoreWords(model: GPT, tokenizer: CharTokenizer, test: readonly CmudictEntry[]) {
  model.eval();
  const stressed = new ErrorRateCounter();
  const unstressed = new ErrorRateCounter();
  const examples: G2PVariant['examples'] = [];
  const byLength = new Map<number, CmudictEntry[]>();
  for (const e of test) byLength.set(e.word.length, [...(byLength.get(e.word.length) ?? []), e]);
  for (const group of byLength.values()) {
    for (let i = 0; i < group.length; i += 64) {
      const batch = group.slice(i, i + 64);
      pronounce(
        model,
        tokenizer,
        batch.map((e) => e.word),
      ).forEach((got, j) => {
        const e = batch[j]!;
        const phonemes = (s: string) => s.split(' ').filter(Boolean);
        stressed.add(phonemes(got), e.pronunciations.map(phonemes));
        unstressed.add(
          phonemes(stripStress(got)),
          e.pronunciations.map((p) => phonemes(stripStress(p))),
        );
        if (examples.length < 8) examples.push({ word: e.word, expected: e.pronunciations[0]!, got });
      });
    }
  }
  return { stressed: stressed.rates(), unstressed: unstressed.rates(), examples };
}
