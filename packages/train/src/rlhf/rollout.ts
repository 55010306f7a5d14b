import { noGrad, type Variable } from '@proj/autograd';
import { generate, type LanguageModel, type Module, withAdaptersDisabled } from '@proj/nn';
import { concat, type Generator, type Tensor } from '@proj/tensor';
import { type LogitsProcessing, tokenEntropy, tokenLogprobs } from './logprobs.js';
import { type RewardFunction, scoreCompletions } from './reward-function.js';
import { type SequenceBatch, sequenceBatch } from './sequences.js';

/** A language model the RL trainers can train, sample and score: a `GPT` (or one with a value head). */
export type PolicyModel = Module & LanguageModel;

/**
 * Where reference log-probabilities come from: a frozen model (a copy of the starting policy), or
 * `'adapters'`, the policy itself with its LoRA adapters disabled (no second model in memory).
 */
export type ReferenceModel = PolicyModel | 'adapters';

/** How completions are sampled: `generate`'s options (TRL's defaults: temperature 1, no top-k, top-p 1). */
export interface GenerationOptions extends LogitsProcessing {
  /** Longest completion, in tokens. */
  maxNewTokens: number;
  /** A completion ends at the first of these (kept as its last token), e.g. `<|endoftext|>`. */
  stopTokens?: readonly number[];
}

/**
 * Samples one completion per prompt with `generate` (KV cache, eval mode; the model's mode is
 * restored): the prompts decode together as one batch, left-padded to the longest and masked, and
 * each completion's ids come back cut after the first stop token.
 * @throws RangeError when a prompt and `maxNewTokens` do not fit the model's context (the scoring
 *   forward pass must see what sampling saw, uncropped).
 */
export function sampleCompletions(
  model: PolicyModel,
  prompts: readonly (readonly number[])[],
  options: GenerationOptions & { generator: Generator },
): number[][] {
  const { maxNewTokens, stopTokens = [] } = options;
  const { blockSize } = model.config;
  prompts.forEach((p, i) => {
    if (p.length + maxNewTokens > blockSize)
      throw new RangeError(
        `sampleCompletions: prompt ${i} has ${p.length} tokens; with maxNewTokens ${maxNewTokens} it exceeds the context of ${blockSize}`,
      );
  });
  if (prompts.length === 0) return [];
  const width = Math.max(...prompts.map((p) => p.length)); // the padded prompt columns
  const wasTraining = model.training;
  model.eval();
  try {
    const sampled = generate(model, prompts, options).toArray() as number[][];
    return sampled.map((row) => {
      const completion = row.slice(width);
      const stop = completion.findIndex((id) => stopTokens.includes(id));
      return stop < 0 ? completion : completion.slice(0, stop + 1);
    });
  } finally {
    model.train(wasTraining);
  }
}

/** What {@link scoreSequences} measures at each position of a {@link SequenceBatch}, `[N, L]`, 0 off the mask. */
export interface SequenceScores {
  logprobs: Tensor;
  /** Entropy of the sampling distribution (nats). */
  entropy: Tensor;
  /** The value head's predictions, when the model has one. */
  values?: Tensor;
}

/**
 * Log-probabilities (with the sampling `processing`), entropies and values of a batch, without a
 * graph and in eval mode, `chunkSize` rows per forward pass.
 */
export function scoreSequences(
  model: PolicyModel,
  batch: SequenceBatch,
  options: { processing?: LogitsProcessing; chunkSize?: number } = {},
): SequenceScores {
  const { processing = {}, chunkSize = 16 } = options;
  const [N] = batch.ids.shape as [number, number];
  const parts: { logprobs: Tensor[]; entropy: Tensor[]; values: Tensor[] } = {
    logprobs: [],
    entropy: [],
    values: [],
  };
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let start = 0; start < N; start += chunkSize) {
        const n = Math.min(chunkSize, N - start);
        const rows = (t: Tensor) => t.narrow(0, start, n);
        const mask = rows(batch.mask);
        const out = model.forward(rows(batch.ids)) as { logits: Variable; values?: Variable };
        parts.logprobs.push(tokenLogprobs(out.logits, rows(batch.targets), processing).data.mul(mask));
        parts.entropy.push(tokenEntropy(out.logits.data, processing).to(mask.dtype).mul(mask));
        if (out.values) parts.values.push(out.values.data.mul(mask));
      }
    });
  } finally {
    model.train(wasTraining);
  }
  const join = (list: Tensor[]) => concat(list, 0);
  return {
    logprobs: join(parts.logprobs),
    entropy: join(parts.entropy),
    values: parts.values.length > 0 ? join(parts.values) : undefined,
  };
}

/** The reference's log-probabilities of a batch (for `'adapters'`: the policy's own, adapters disabled). */
export function referenceLogprobs(
  policy: PolicyModel,
  reference: ReferenceModel,
  batch: SequenceBatch,
  options: { processing?: LogitsProcessing; chunkSize?: number } = {},
): Tensor {
  if (reference === 'adapters')
    return withAdaptersDisabled(policy, () => scoreSequences(policy, batch, options).logprobs);
  return scoreSequences(reference, batch, options).logprobs;
}

/**
 * @throws RangeError when the policy and the reference have different vocabularies (their log-probabilities would
 *   not describe the same tokens).
 */
export function checkReference(op: string, policy: PolicyModel, reference: ReferenceModel | undefined): void {
  if (reference === undefined || reference === 'adapters') return;
  if (reference.config.vocabSize !== policy.config.vocabSize)
    throw new RangeError(
      `${op}: the policy's vocabulary has ${policy.config.vocabSize} tokens, the reference's ${reference.config.vocabSize}; both must be the same model family`,
    );
}

/** Prompts, their sampled completions, the batch they make and their scores. */
export interface Rollout {
  prompts: number[][];
  completions: number[][];
  batch: SequenceBatch;
  scores: number[];
  /** The completions as text (stop token removed), for logs and samples. */
  texts: string[];
}

/** Options of {@link rollout}. */
export interface RolloutOptions {
  generation: GenerationOptions;
  generator: Generator;
  reward: RewardFunction;
  decode: (ids: readonly number[]) => string;
  /** Pads the batch (default 0). */
  padId?: number;
}

/** Samples a completion for each prompt, lays them out, and scores them with the reward function. */
export async function rollout(model: PolicyModel, prompts: number[][], o: RolloutOptions): Promise<Rollout> {
  const completions = sampleCompletions(model, prompts, { ...o.generation, generator: o.generator });
  const stops = o.generation.stopTokens ?? [];
  const texts = completions.map((c) => o.decode(stops.includes(c.at(-1)!) ? c.slice(0, -1) : c));
  const scores = await scoreCompletions(
    o.reward,
    prompts.map((promptIds, i) => ({
      prompt: o.decode(promptIds),
      completion: texts[i]!,
      promptIds,
      completionIds: completions[i]!,
    })),
  );
  const batch = sequenceBatch(prompts, completions, { padId: o.padId, maxLength: model.config.blockSize });
  return { prompts, completions, batch, scores, texts };
}
