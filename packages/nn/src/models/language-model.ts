import type { Variable } from '@proj/autograd';
import type { Tensor } from '@proj/tensor';

/**
 * Targets equal to this are left out of a language model's loss (padding, prompt tokens), as
 * nanoGPT's `ignore_index=-1`.
 */
export const IGNORE_INDEX = -1;

/**
 * What a language model carries between decoding steps (a transformer's {@link KVCache}, an RNN's
 * hidden state). `length` is the number of positions already consumed, `capacity` how many fit
 * (Infinity when unbounded).
 */
export interface LanguageModelCache {
  readonly length: number;
  readonly capacity: number;
  /** Forgets everything consumed, so the next forward starts at position 0. */
  reset(): void;
}

/** What {@link LanguageModel.forward} returns. */
export interface LanguageModelOutput {
  /** Next-token scores `[B, T, vocabSize]`. */
  logits: Variable;
  /** Mean cross-entropy over the targets that are not {@link IGNORE_INDEX}, when targets were given. */
  loss?: Variable;
  /**
   * The hidden states the output head reads, `[B, T, C]` (a GPT's final-norm output), for models
   * that expose them: value and reward heads read them.
   */
  hidden?: Variable;
}

/** Options of {@link LanguageModel.forward}. */
export interface LanguageModelForwardOptions<C extends LanguageModelCache = LanguageModelCache> {
  /** Decoding state: the ids continue the positions already in the cache, which is advanced. */
  cache?: C;
}

/**
 * The interface training loops and {@link generate} are written against, so each is written once
 * for GPT, RNN language models and anything else next-token shaped.
 */
export interface LanguageModel<C extends LanguageModelCache = LanguageModelCache> {
  readonly config: { readonly vocabSize: number; readonly blockSize: number };
  /** True while dropout (and the like) is active; set by `train()` / `eval()`. */
  readonly training: boolean;
  /**
   * Shapes: int32 `ids` `[B, T]`, optional int32 `targets` `[B, T]` → logits `[B, T, vocabSize]`.
   */
  forward(
    ids: Tensor,
    targets?: Tensor | null,
    options?: LanguageModelForwardOptions<C>,
  ): LanguageModelOutput;
  /** A fresh decoding state for `batchSize` sequences, when the model supports incremental decoding. */
  createCache?(batchSize: number): C;
}
