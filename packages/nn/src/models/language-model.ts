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
  /**
   * Compute logits for the last `logitsToKeep` positions only (Hugging Face's `logits_to_keep`;
   * nanoGPT's inference path keeps 1): the output head, often the largest product, runs on those
   * rows alone. 0 or absent: every position. A model may return more; the last rows are the kept ones.
   */
  logitsToKeep?: number;
  /**
   * Hugging Face's `attention_mask` `[B, past + T]` (1/true = a real token, 0/false = padding), for a
   * batch of left-padded prompts of different lengths: each row then computes what it computes alone.
   * Models that cannot honour it throw.
   */
  attentionMask?: Tensor;
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
  /**
   * True when `forward` keeps no reference to any array it allocates, except in the cache it is given
   * (whose buffers it allocates on its first call with that cache): `generate` then hands each
   * decoding step's arrays to the next step, so decoding allocates no tensor storage from its second
   * step on. Leave it unset for a model that keeps what it computes.
   */
  readonly transientForward?: boolean;
}
