import { noGrad } from '@proj/autograd';
import { DTypeError, ShapeError, type Tensor, tensor } from '@proj/tensor';
import type { LanguageModel, LanguageModelCache } from '../models/language-model.js';
import { type SamplingOptions, sampleNext, unsampleableLogits } from './sampling.js';

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
}

/**
 * Extends each prompt by sampling one token at a time, as nanoGPT's `generate`: the context is
 * cropped to the last `blockSize` tokens, the last position's logits are scaled, filtered and
 * sampled (see {@link SamplingOptions}; `temperature: 0` is greedy). With a cache, each step feeds
 * only the new token; when the cache is full it is reset and refilled with the last `capacity`
 * tokens, so cached and uncached decoding see the same context and give the same tokens.
 * Runs without recording gradients; call `model.eval()` first to turn dropout off.
 *
 * Shapes: int32 `ids` `[B, T]` (or one prompt as `number[]`) → int32 `[B, T + maxNewTokens]`
 * (fewer columns when every row stopped early).
 * @example generate(model, [0], { maxNewTokens: 100, temperature: 0.8, topK: 40, generator: new Generator(1) })
 * @throws ShapeError/DTypeError for bad ids; RangeError for a bad maxNewTokens, or when the model's
 * logits at the sampled position hold NaN or +Infinity (step counted from 1).
 */
export function generate<C extends LanguageModelCache>(
  model: LanguageModel<C>,
  ids: Tensor | readonly number[],
  options: GenerateOptions,
): Tensor {
  const rows = promptRows(ids);
  const { maxNewTokens, stopTokens = [], useCache = true } = options;
  if (!(Number.isInteger(maxNewTokens) && maxNewTokens >= 0))
    throw new RangeError(`generate: maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  const { blockSize } = model.config;
  const stops = new Set(stopTokens);
  const stopped: (number | null)[] = rows.map(() => null);
  const cache = useCache && model.createCache ? model.createCache(rows.length) : null;
  let fed = 0; // tokens of each row already in the cache
  return noGrad(() => {
    for (let step = 0; step < maxNewTokens && stopped.some((s) => s === null); step++) {
      const length = rows[0]!.length;
      let context: number[][];
      if (cache && cache.length + (length - fed) <= cache.capacity) {
        context = rows.map((r) => r.slice(fed)); // only what the cache has not seen
      } else {
        // crop the context to the last blockSize tokens (and restart the cache on them)
        const keep = Math.min(length, cache ? Math.min(cache.capacity, blockSize) : blockSize);
        context = rows.map((r) => r.slice(length - keep));
        cache?.reset();
      }
      fed = length;
      const input = tensor(context, { dtype: 'int32' });
      const { logits } = model.forward(input, null, cache ? { cache } : {});
      const last = logits.data.select(1, logits.shape[1]! - 1); // (B, V)
      const problem = unsampleableLogits(last);
      if (problem !== undefined) {
        throw new RangeError(
          `generate: the model produced non-finite logits at step ${step + 1} (${problem})`,
        );
      }
      const next = sampleNext(last, options).data();
      rows.forEach((row, b) => {
        const token = stopped[b] ?? next[b]!;
        row.push(token);
        if (stops.has(token)) stopped[b] = token;
      });
    }
    return tensor(rows, { dtype: 'int32' });
  });
}

function promptRows(ids: Tensor | readonly number[]): number[][] {
  if (!('shape' in ids)) {
    if (ids.length === 0) throw new ShapeError('generate: the prompt is empty');
    return [Array.from(ids)];
  }
  if (ids.dtype !== 'int32') throw new DTypeError(`generate: ids must be int32, got ${ids.dtype}`);
  if (ids.ndim !== 2 || ids.shape[1] === 0)
    throw new ShapeError(`generate: ids must be [B, T] with T > 0, got [${ids.shape.join(', ')}]`);
  return ids.toArray() as number[][];
}
