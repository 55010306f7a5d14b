import { GPT, type GPTConfig, generateSequences } from '@proj/nn';
import { Generator } from '@proj/tensor';
import type { BPETokenizer } from '@proj/tokenizers';
import {
  AdamW,
  type ChatExample,
  type ChatTemplate,
  cosineWithWarmup,
  decayParamGroups,
  finetune,
  promptForGeneration,
  SFTDataset,
  type TextSpan,
} from '@proj/train';
import { lengthSortedChunks } from './batches.js';
import { BpeCodec, SPECIALS } from './codec.js';
import { closestSize, MODEL_LABELS } from './models.js';
import type { ModelResult, RunOptions } from './run-task.js';
import type { Example, TaskData } from './tasks/task.js';
import { outputLimit } from './tasks/task.js';
import type { CurvePoint } from './train.js';

const [, SEPARATOR, END] = SPECIALS;

/**
 * The prompt format of the decoder-only model: `{source}<s>{target}</s>`. The source and the
 * separator are context; the target and the end token are learned (`trained` spans), so the loss
 * mask comes from the spans, never from finding `<s>` in the token stream. With no assistant turn it
 * renders the prompt a model continues: `{source}<s>`.
 */
export const sourceTargetTemplate: ChatTemplate = (messages) =>
  messages.flatMap(({ role, content }): TextSpan[] => {
    if (role === 'user')
      return [
        { text: content, trained: false, markup: false },
        { text: SEPARATOR, trained: false, markup: true },
      ];
    if (role === 'assistant')
      return [
        { text: content, trained: true, markup: false },
        { text: END, trained: true, markup: true },
      ];
    throw new Error(`sourceTargetTemplate: unknown role '${role}' (user: the source, assistant: the target)`);
  });

/**
 * The start of `text` that its first `maxTokens` tokens spell (all of it when it is that short),
 * cut back further, should re-encoding the cut give more than `maxTokens` tokens.
 */
export function cutToTokens(tokenizer: BPETokenizer, text: string, maxTokens: number): string {
  const ids = tokenizer.encodeOrdinary(text);
  if (ids.length <= maxTokens) return text;
  // a cut inside a multi-byte character decodes to U+FFFD: drop it
  let cut = tokenizer.decode(ids.slice(0, maxTokens)).replace(/\uFFFD+$/, '');
  while (tokenizer.encodeOrdinary(cut).length > maxTokens) cut = cut.slice(0, -1);
  return cut;
}

/** Sizes of the GPT of a run. */
export interface GptSizes {
  vocabSize: number;
  /** Context: the longest source, the separator and the longest output (end token included), less one. */
  blockSize: number;
  /** Transformer layers on each side of the encoder-decoder: the GPT gets twice as many. */
  layers: number;
  nHead: number;
  dropout: number;
}

/**
 * The GPT (GPT-2's pre-norm blocks, GELU, learned positions, tied embeddings, biases) with
 * `2 × layers` blocks and the width, a multiple of `nHead`, whose parameter count is closest to
 * `targetParameters`.
 */
export function matchedGptConfig(sizes: GptSizes, targetParameters: number): GPTConfig {
  const config = (width: number): GPTConfig => ({
    vocabSize: sizes.vocabSize,
    blockSize: sizes.blockSize,
    nLayer: 2 * sizes.layers,
    nHead: sizes.nHead,
    nEmbd: width * sizes.nHead,
    dropout: sizes.dropout,
    bias: true,
    geluApproximate: 'none',
    layerNormEps: 1e-5,
    tieWordEmbeddings: true,
  });
  const count = (width: number) => new GPT(config(width)).numParameters({ nonEmbedding: false });
  return config(closestSize(targetParameters, count));
}

/** The task's shared BPE codec, which the GPT reads and writes. */
function sharedBpe(task: TaskData): BpeCodec {
  if (!(task.source instanceof BpeCodec) || task.source !== task.target)
    throw new Error(`${task.name}: the GPT needs one BPE codec for sources and targets`);
  return task.source;
}

/**
 * Trains a decoder-only GPT from scratch on `task`'s pairs as supervised finetuning (`SFTDataset`
 * with {@link sourceTargetTemplate}: the loss on target tokens only) with the run's optimisation
 * (AdamW, warmup then cosine, clipping; no label smoothing), then decodes every test source
 * greedily with the KV cache and scores it. The source is cut to `task.maxSourceLength` tokens and
 * the target to the output limit, as for the encoder-decoders.
 */
export async function trainGptSystem(
  task: TaskData,
  options: RunOptions,
  targetParameters: number,
): Promise<{ model: GPT; result: ModelResult }> {
  const codec = sharedBpe(task);
  const { tokenizer } = codec;
  const maxOutput = outputLimit(task.maxOutput, task.maxSourceLength);
  const toExample = (e: Example): ChatExample => ({
    messages: [
      { role: 'user', content: cutToTokens(tokenizer, e.source, task.maxSourceLength) },
      { role: 'assistant', content: cutToTokens(tokenizer, e.references[0]!, maxOutput - 1) },
    ],
  });
  const config = matchedGptConfig(
    {
      vocabSize: codec.vocabSize,
      blockSize: task.maxSourceLength + maxOutput,
      layers: options.layers,
      nHead: options.nHead,
      dropout: options.dropout,
    },
    targetParameters,
  );
  const fit = (examples: readonly Example[]) =>
    SFTDataset.fromExamples(examples.map(toExample), {
      tokenizer,
      blockSize: config.blockSize,
      template: sourceTargetTemplate,
      padId: codec.padId,
    });
  const train = fit(task.train);
  const valid = fit(task.valid);
  const model = new GPT(config, { generator: new Generator(options.seed) });
  const parameters = model.numParameters({ nonEmbedding: false });
  const label = MODEL_LABELS.gpt;
  options.log(
    `${label}: ${parameters.toLocaleString('en-US')} parameters (${config.nLayer} layers, width ${config.nEmbd}), ${options.steps} steps, from scratch`,
  );
  const { stats } = train;
  options.log(
    `  ${stats.examples} training examples, ${stats.tokens} tokens, ${stats.trainedTokens} learned (subjects and end tokens); cut by the context: ${stats.promptTruncated} prompts, ${stats.completionTruncated} completions`,
  );
  const trained = await finetuneTimed(model, train, valid, options);
  const tests: ModelResult['tests'] = {};
  let samples: ModelResult['samples'] = [];
  for (const test of task.tests) {
    const prompts = test.examples.map(
      (e) => promptForGeneration(tokenizer, toExample(e), sourceTargetTemplate).ids,
    );
    const started = performance.now();
    const outputs = greedyContinuations(model, prompts, codec, maxOutput, options.decodeBatch).map((ids) =>
      codec.decode(ids),
    );
    const seconds = (performance.now() - started) / 1000;
    const metrics = task.score(test.examples, outputs);
    tests[test.name] = { greedy: { metrics, seconds, wordsPerSecond: test.examples.length / seconds } };
    if (samples.length === 0)
      samples = test.examples
        .slice(0, 8)
        .map((e, i) => ({ source: e.source, reference: e.references[0]!, output: outputs[i]! }));
    const shown = Object.entries(metrics)
      .map(([k, v]) => `${k} ${(100 * v).toFixed(2)}%`)
      .join(', ');
    options.log(`  ${test.name}: greedy ${shown}`);
  }
  return {
    model,
    result: { kind: 'gpt', label, parameters, config, train: trained, tests, samples },
  };
}

/**
 * `finetune` with the figures the encoder-decoders report: training seconds without the
 * evaluations, real (unpadded) tokens per second — counted on the examples the loop drew, replayed
 * from a copy of its generator (only batch draws use it) — and the validation curve.
 */
async function finetuneTimed(
  model: GPT,
  train: SFTDataset,
  valid: SFTDataset,
  options: RunOptions,
): Promise<ModelResult['train']> {
  const generator = new Generator(options.seed + 1);
  const replay = generator.clone();
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), options.weightDecay), {
    lr: options.lr,
    betas: [0.9, 0.98],
  });
  const curve: CurvePoint[] = [];
  let recent: number[] = [];
  const started = performance.now();
  let last = started;
  let evalMs = 0;
  const result = await finetune({
    model,
    optimizer,
    train,
    val: valid,
    batchSize: options.batchSize,
    maxIters: options.steps,
    gradClip: options.clip,
    schedule: cosineWithWarmup({
      lr: options.lr,
      minLr: options.lr / 10,
      warmupIters: options.warmup,
      lrDecayIters: options.steps,
    }),
    evalInterval: options.evalEvery,
    evalIters: Math.ceil(valid.length / options.batchSize),
    generator,
    onEvent: (event) => {
      const now = performance.now();
      if (event.type === 'step') recent.push(event.loss);
      if (event.type === 'eval') {
        evalMs += now - last;
        const trainLoss = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : Number.NaN;
        const point = {
          step: event.iter,
          seconds: (now - started - evalMs) / 1000,
          trainLoss,
          validLoss: event.valLoss,
        };
        curve.push(point);
        recent = [];
        options.log(
          `  step ${point.step}: train loss ${trainLoss.toFixed(4)}, valid loss ${point.validLoss.toFixed(4)}, ${point.seconds.toFixed(1)} s`,
        );
      }
      last = now;
    },
  });
  let tokens = 0;
  for (let step = 0; step < options.steps; step++)
    for (const i of train.randomOffsets(options.batchSize, train.blockSize, replay))
      tokens += train.example(i).ids.length;
  const seconds = (result.msPerIter * options.steps) / 1000;
  return {
    steps: options.steps,
    seconds,
    tokensPerSecond: tokens / seconds,
    examplesPerSecond: (options.steps * options.batchSize) / seconds,
    curve,
  };
}

/**
 * Greedy continuations of `prompts` (KV cache; batches of similar length, left-padded and masked),
 * each up to the end token or `maxNewTokens`, without the prompt.
 */
export function greedyContinuations(
  model: GPT,
  prompts: readonly number[][],
  codec: BpeCodec,
  maxNewTokens: number,
  batchSize: number,
): number[][] {
  model.eval();
  const outputs: number[][] = new Array(prompts.length);
  for (const chunk of lengthSortedChunks(prompts.length, batchSize, (i) => prompts[i]!.length)) {
    const { sequences, promptLength } = generateSequences(
      model,
      chunk.map((i) => prompts[i]!),
      { maxNewTokens, temperature: 0, stopTokens: [codec.eosId], padTokenId: codec.padId },
    );
    const rows = sequences.toArray() as number[][];
    chunk.forEach((i, row) => {
      outputs[i] = rows[row]!.slice(promptLength);
    });
  }
  return outputs;
}
