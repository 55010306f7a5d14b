import { crossEntropy, type Variable } from '@proj/autograd';
import { DTypeError, ShapeError, type Tensor } from '@proj/tensor';

/**
 * What a sequence-to-sequence model carries between decoding steps: the encoded source (computed
 * once by {@link Seq2SeqModel.encode}) and the decoder's incremental state (a transformer's KV
 * caches, an RNN's hidden state).
 */
export interface Seq2SeqState {
  /** Sequences being decoded (rows). */
  readonly batchSize: number;
  /**
   * A new state whose row `i` continues row `index[i]` of this one (int32 `[B′]`, repeats allowed):
   * how beam search expands each source into beams and reorders them. This state is not changed.
   */
  select(index: Tensor): Seq2SeqState;
}

/** Options of {@link Seq2SeqModel.loss}. */
export interface Seq2SeqLossOptions {
  /** Label smoothing of the cross-entropy (default 0). */
  labelSmoothing?: number;
}

/** Options of {@link Seq2SeqModel.decodeStep}. */
export interface DecodeStepOptions {
  /** Also return the step's attention over the source positions (default false). */
  attention?: boolean;
}

/** What {@link Seq2SeqModel.decodeStep} returns. */
export interface Seq2SeqStep<S extends Seq2SeqState> {
  /** Next-token scores `[B, tgtVocabSize]`. */
  logits: Variable;
  /** The state after this step (the state passed in may have been advanced in place: use this one). */
  state: S;
  /**
   * With `{ attention: true }`, the weights `[B, S]` this step gave each source position (rows sum
   * to 1, 0 at padding): a transformer's last decoder layer's cross-attention averaged over heads
   * (PyTorch's `average_attn_weights`), a recurrent model's attention; absent for a model without
   * attention.
   */
  attention?: Tensor;
}

/**
 * The interface {@link Transformer} and {@link Seq2SeqRNN} share, so training and decoding
 * ({@link greedyDecode}, {@link beamSearch}) are written once. Token ids are int32; `padId` marks
 * padding at the end of source and target rows.
 */
export interface Seq2SeqModel<S extends Seq2SeqState = Seq2SeqState> {
  readonly config: { readonly srcVocabSize: number; readonly tgtVocabSize: number; readonly padId: number };
  /** True while dropout is active; set by `train()` / `eval()`. */
  readonly training: boolean;
  /** Teacher forcing. Shapes: `src` `[B, S]`, `tgtIn` `[B, T]` (starting with BOS) → logits `[B, T, tgtVocabSize]`. */
  forward(src: Tensor, tgtIn: Tensor): Variable;
  /** Mean cross-entropy of `forward(src, tgtIn)` against `tgtOut` `[B, T]`, skipping `padId` targets. */
  loss(src: Tensor, tgtIn: Tensor, tgtOut: Tensor, options?: Seq2SeqLossOptions): Variable;
  /** Encodes `src` `[B, S]` once: the initial decoding state. */
  encode(src: Tensor): S;
  /** Feeds one token per row (int32 `[B]`) and returns the scores of the next. */
  decodeStep(state: S, tokens: Tensor, options?: DecodeStepOptions): Seq2SeqStep<S>;
}

/**
 * Checks that `ids` is an int32 `[B, T]` batch (`T ≥ 1`).
 * @throws DTypeError or ShapeError naming `op` and the argument.
 */
export function checkTokens(op: string, name: string, ids: Tensor, batch?: number): void {
  if (ids.dtype !== 'int32') throw new DTypeError(`${op}: ${name} must be int32 token ids, got ${ids.dtype}`);
  if (ids.ndim !== 2 || ids.shape[1] === 0 || (batch !== undefined && ids.shape[0] !== batch))
    throw new ShapeError(
      `${op}: ${name} must be [${batch ?? 'B'}, ${name === 'src' ? 'S' : 'T'}] with at least one position, got [${ids.shape.join(', ')}]`,
    );
}

/** The shared loss: cross-entropy of `logits` `[B, T, V]` against `tgtOut` `[B, T]`, ignoring `padId`. */
export function seq2seqLoss(
  op: string,
  logits: Variable,
  tgtOut: Tensor,
  padId: number,
  options: Seq2SeqLossOptions = {},
): Variable {
  checkTokens(op, 'tgtOut', tgtOut, logits.shape[0]);
  if (tgtOut.shape[1] !== logits.shape[1])
    throw new ShapeError(
      `${op}: tgtOut [${tgtOut.shape.join(', ')}] must have the length of tgtIn (${logits.shape[1]})`,
    );
  const V = logits.shape[2]!;
  return crossEntropy(logits.reshape([-1, V]), tgtOut.reshape([-1]), {
    ignoreIndex: padId,
    labelSmoothing: options.labelSmoothing,
  });
}
