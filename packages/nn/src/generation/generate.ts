import { noGrad } from '@proj/autograd';
import { logSoftmax, type Tensor, tensor, type WeightDType } from '@proj/tensor';
import { type AllocationScope, beginAllocationScope } from '@proj/tensor/internal';
import { packedWeightsOf, withPackedWeights } from '../inference/packed-weights.js';
import type { LanguageModel, LanguageModelCache } from '../models/language-model.js';
import { Module } from '../module.js';
import { type PromptBatch, promptBatch } from './prompts.js';
import { drawNext, type SamplingOptions, unsampleableLogits } from './sampling.js';

/** Options of {@link generate}. */
export interface GenerateOptions extends SamplingOptions {
  /** Tokens to append to each sequence. */
  maxNewTokens: number;
  /**
   * A row is finished once it emits one of these (it is kept); its later positions repeat it, and
   * generation ends early when every row is finished.
   */
  stopTokens?: readonly number[];
  /** Decode incrementally with the model's cache when it has one (default true). */
  useCache?: boolean;
  /**
   * Id written into the left padding of shorter prompts (default: the first stop token, else 0). The
   * padding is masked out, so its value does not change what the model computes.
   */
  padTokenId?: number;
  /**
   * With an ids tensor: Hugging Face's `attention_mask` `[B, T]` (1 = token, 0 = padding), left padding
   * only. Arrays of prompts of different lengths get one built.
   */
  attentionMask?: Tensor;
  /**
   * Pack the model's Linear weights for the call (`packWeights`; default true): each decoding step
   * then copies activations only, and products split across threads by output columns. Ignored for
   * models that are not a `Module` or are packed already.
   */
  packWeights?: boolean;
  /**
   * Storage precision of the packed weights (default `'float32'`, exactly the unpacked model's
   * results). `'bfloat16'` or `'float16'` read half the bytes per token, widened to float32 inside
   * the kernels; logits then differ from float32's by the rounding of the weights.
   */
  weightDtype?: WeightDType;
}

/** Options of {@link generateSequences}. */
export interface GenerateSequencesOptions extends GenerateOptions {
  /** Also return the log-probability of every generated token (default false). */
  outputLogProbs?: boolean;
}

/** What {@link generateSequences} returns. */
export interface GenerateOutput {
  /**
   * int32 `[B, P + N]`: the prompts, left-padded to the longest (P columns), then the N generated
   * tokens (N < maxNewTokens when every row stopped early); after its stop token a row repeats it.
   */
  sequences: Tensor;
  /**
   * int32 `[B, P + N]`: 1 for prompt tokens and generated tokens up to and including the stop token,
   * 0 for left padding and for the repeats after a stop (what a loss over the completion masks with).
   */
  attentionMask: Tensor;
  /** Columns before the first generated token (P). */
  promptLength: number;
  /**
   * float32 `[B, N]` with `outputLogProbs`: each generated token's log-probability under the
   * distribution it was drawn from before top-k/top-p filtering, `logSoftmax(logits / temperature)`
   * (the unscaled logits for greedy decoding), as PPO's rollouts record it; 0 after a stop.
   */
  logProbs?: Tensor;
}

/**
 * Extends each prompt by sampling one token at a time, as nanoGPT's `generate`: the context is
 * cropped to the last `blockSize` tokens, the last position's logits are scaled, filtered and
 * sampled (see {@link SamplingOptions}; `temperature: 0` is greedy). With a cache, each step feeds
 * only the new token; when the cache is full it is reset and refilled with the last `capacity`
 * tokens, so cached and uncached decoding see the same context and give the same tokens. The model
 * computes logits for the last position only (`logitsToKeep: 1`), its Linear weights packed for the
 * call (see {@link GenerateOptions.packWeights}). The rows of a batch decode together, one forward
 * per step; prompts of different lengths are left-padded and masked (see {@link generateSequences}).
 * Runs without recording gradients; call `model.eval()` first to turn dropout off.
 *
 * Shapes: int32 `ids` `[B, T]` (or one prompt as `number[]`, or prompts as `number[][]`) → int32
 * `[B, T + maxNewTokens]` (fewer columns when every row stopped early).
 * @example generate(model, [0], { maxNewTokens: 100, temperature: 0.8, topK: 40, generator: new Generator(1) })
 * @throws ShapeError/DTypeError for bad ids or mask; RangeError for a bad maxNewTokens, or when the
 * model's logits at the sampled position hold NaN or +Infinity (step counted from 1).
 */
export function generate<C extends LanguageModelCache>(
  model: LanguageModel<C>,
  ids: Tensor | readonly number[] | readonly (readonly number[])[],
  options: GenerateOptions,
): Tensor {
  return generateSequences(model, ids, options).sequences;
}

/**
 * {@link generate} for a batch of prompts, with what RLHF rollouts need besides the ids: the mask of
 * real tokens and, with `outputLogProbs`, each generated token's log-probability. Prompts of
 * different lengths are left-padded (as Hugging Face's `padding_side="left"`) and masked: positions
 * count each row's real tokens and no token attends to padding, so each row computes what it would
 * alone (up to float32 rounding).
 * @example
 * const { sequences, attentionMask, promptLength, logProbs } = generateSequences(policy, prompts, {
 *   maxNewTokens: 32, temperature: 1, generator, stopTokens: [eos], outputLogProbs: true });
 * @throws as {@link generate}.
 */
export function generateSequences<C extends LanguageModelCache>(
  model: LanguageModel<C>,
  ids: Tensor | readonly number[] | readonly (readonly number[])[],
  options: GenerateSequencesOptions,
): GenerateOutput {
  const { maxNewTokens, stopTokens = [] } = options;
  if (!(Number.isInteger(maxNewTokens) && maxNewTokens >= 0))
    throw new RangeError(`generate: maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  const batch = promptBatch('generate', ids, options.padTokenId ?? stopTokens[0] ?? 0, options.attentionMask);
  return noGrad(() => withInferenceWeights(model, options, () => decode(model, batch, options)));
}

/** Runs `fn` with the model's weights packed as the options ask (see {@link GenerateOptions.packWeights}). */
function withInferenceWeights<T>(model: object, options: GenerateOptions, fn: () => T): T {
  const { weightDtype, packWeights = true } = options;
  if (!(model instanceof Module) || !packWeights) {
    if (weightDtype && weightDtype !== 'float32')
      throw new RangeError(
        `generate: weightDtype ${weightDtype} needs packed weights (a Module, packWeights true)`,
      );
    return fn();
  }
  const packed = packedWeightsOf(model);
  if (!packed) return withPackedWeights(model, { dtype: weightDtype }, fn);
  if (weightDtype && weightDtype !== packed.dtype)
    throw new RangeError(
      `generate: the model is packed as ${packed.dtype}, but weightDtype asks for ${weightDtype}`,
    );
  return fn();
}

/** The decoding loop of {@link generateSequences}. */
function decode<C extends LanguageModelCache>(
  model: LanguageModel<C>,
  { rows, real }: PromptBatch,
  options: GenerateSequencesOptions,
): GenerateOutput {
  const { maxNewTokens, stopTokens = [], useCache = true, temperature = 1 } = options;
  const { blockSize } = model.config;
  const promptLength = rows[0]!.length;
  const stops = new Set(stopTokens);
  const stopped: (number | null)[] = rows.map(() => null);
  const lengths = rows.map(() => 0); // generated tokens up to the stop token
  const logProbs: number[][] = rows.map(() => []);
  const cache = useCache && model.createCache ? model.createCache(rows.length) : null;
  let fed = 0; // columns already in the cache (or 0)
  let steps: AllocationScope | null = null;
  try {
    for (let step = 0; step < maxNewTokens && stopped.some((s) => s === null); step++) {
      const length = rows[0]!.length;
      let from = fed; // first column to feed
      if (!(cache && cache.length + (length - fed) <= cache.capacity)) {
        // crop the context to the last blockSize tokens (and restart the cache on them)
        from = length - Math.min(length, cache ? Math.min(cache.capacity, blockSize) : blockSize);
        cache?.reset();
      }
      const past = cache?.length ?? 0;
      fed = length;
      const window = real?.map((r) => r.slice(from - past)); // the mask over cached and new columns
      const { logits } = model.forward(
        tensor(
          rows.map((r) => r.slice(from)),
          { dtype: 'int32' },
        ),
        null,
        {
          cache: cache ?? undefined,
          logitsToKeep: 1,
          attentionMask: window?.some((r) => r.includes(0)) ? tensor(window, { dtype: 'int32' }) : undefined,
        },
      );
      const last = logits.data.select(1, logits.shape[1]! - 1); // (B, V)
      const problem = unsampleableLogits(last);
      if (problem !== undefined)
        throw new RangeError(
          `generate: the model produced non-finite logits at step ${step + 1} (${problem})`,
        );
      const next = drawNext(last, options).data();
      const logp = options.outputLogProbs
        ? logSoftmax(temperature > 0 && temperature !== 1 ? last.div(temperature) : last, -1).data()
        : null;
      const V = last.shape[1]!;
      rows.forEach((row, b) => {
        const done = stopped[b] !== null;
        const token = stopped[b] ?? next[b]!;
        row.push(token);
        real?.[b]?.push(1);
        logProbs[b]!.push(done || !logp ? 0 : logp[b * V + token]!);
        if (done) return;
        lengths[b]!++;
        if (stops.has(token)) stopped[b] = token;
      });
      // From the second step on, the arrays of a step are handed to the next one (see transientForward).
      if (steps) steps.recycle();
      else if (cache && model.transientForward) steps = beginAllocationScope({ recycle: true });
    }
  } finally {
    steps?.end();
  }
  const attentionMask = rows.map((row, b) =>
    row.map((_, j) => (j < promptLength ? (real?.[b]?.[j] ?? 1) : j - promptLength < lengths[b]! ? 1 : 0)),
  );
  return {
    sequences: tensor(rows, { dtype: 'int32' }),
    attentionMask: tensor(attentionMask, { dtype: 'int32' }),
    promptLength,
    logProbs: options.outputLogProbs
      ? tensor(logProbs.flat(), { dtype: 'float32' }).reshape([rows.length, rows[0]!.length - promptLength])
      : undefined,
  };
}
