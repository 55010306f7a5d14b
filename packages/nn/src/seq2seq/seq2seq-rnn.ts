import { concat, tanh, Variable } from '@proj/autograd';
import { ShapeError, type Tensor } from '@proj/tensor';
import { definedEntries } from '../defined-entries.js';
import { Dropout } from '../layers/activation.js';
import { Embedding } from '../layers/embedding.js';
import { type LayerOptions, Linear } from '../layers/linear.js';
import { Module } from '../module.js';
import { GRU, LSTM, RNN } from '../rnn/rnn.js';
import {
  checkTokens,
  type DecodeStepOptions,
  type Seq2SeqLossOptions,
  type Seq2SeqModel,
  type Seq2SeqState,
  type Seq2SeqStep,
  seq2seqLoss,
} from './seq2seq-model.js';
import { AdditiveAttention, DotProductAttention, type SourceAttentionOutput } from './source-attention.js';

/** What the decoder computes from embedded targets. */
interface DecoderOutput {
  features: Variable;
  state: Seq2SeqRNNState;
  weights: Variable | null;
}

/** Configuration of {@link Seq2SeqRNN}. */
export interface Seq2SeqRNNConfig {
  srcVocabSize: number;
  tgtVocabSize: number;
  /** Recurrent state size of encoder and decoder (default 256). */
  hiddenSize?: number;
  /** Token embedding size (default `hiddenSize`). */
  embedDim?: number;
  /** Stacked recurrent layers on each side (default 1). */
  numLayers?: number;
  /** `'lstm'` (default), `'gru'` or `'rnn'` (Elman, tanh). */
  cell?: 'lstm' | 'gru' | 'rnn';
  /**
   * Attention over the encoder states: `'none'` (the final state alone carries the source),
   * `'additive'` (Bahdanau: the previous decoder state queries, the context is fed into the RNN) or
   * `'dot'` (default; Luong: the new decoder state queries, the context joins it at the output).
   */
  attention?: 'none' | 'additive' | 'dot';
  /** Dropout on embeddings, between recurrent layers and before the output projection (default 0). */
  dropout?: number;
  /** Padding id of both vocabularies (default 0): left out of the encoder, attention and loss. */
  padId?: number;
}

/**
 * The pre-transformer baseline for sequence-to-sequence tasks: an LSTM, GRU or Elman RNN encoder
 * reads the source (padding excluded through per-row lengths); its final state starts a decoder of
 * the same cell;
 * optionally each decoder step attends over the encoder states. With attention the output is
 * Luong's attentional state `tanh(combine([h; context]))`, then `lm_head`.
 *
 * Parameters: `src_embed`, `tgt_embed`, `encoder.weight_ih_l0…`, `decoder.…`, `attention.…`
 * (additive only), `combine` (with attention), `lm_head`.
 * Shapes: int32 `src` `[B, S]`, `tgtIn` `[B, T]` → logits `[B, T, tgtVocabSize]`.
 * @example
 * const model = new Seq2SeqRNN({ srcVocabSize: 12, tgtVocabSize: 12, hiddenSize: 64, attention: 'additive' });
 * model.loss(src, tgtIn, tgtOut).backward();
 */
export class Seq2SeqRNN extends Module implements Seq2SeqModel<Seq2SeqRNNState> {
  src_embed: Embedding;
  tgt_embed: Embedding;
  encoder: LSTM | GRU | RNN;
  decoder: LSTM | GRU | RNN;
  attention: AdditiveAttention | DotProductAttention | null;
  combine: Linear | null;
  dropout: Dropout;
  lm_head: Linear;
  readonly config: Readonly<Required<Seq2SeqRNNConfig>>;

  constructor(config: Seq2SeqRNNConfig, options: LayerOptions = {}) {
    super();
    const hiddenSize = config.hiddenSize ?? 256;
    const c = {
      hiddenSize,
      embedDim: hiddenSize,
      numLayers: 1,
      cell: 'lstm' as const,
      attention: 'dot' as const,
      dropout: 0,
      padId: 0,
      ...definedEntries(config),
    };
    this.config = c;
    const H = c.hiddenSize;
    this.src_embed = new Embedding(c.srcVocabSize, c.embedDim, options);
    this.tgt_embed = new Embedding(c.tgtVocabSize, c.embedDim, options);
    const rnn = (inputSize: number) => {
      const rnnOptions = { ...options, numLayers: c.numLayers, batchFirst: true, dropout: c.dropout };
      if (c.cell === 'gru') return new GRU(inputSize, H, rnnOptions);
      return c.cell === 'rnn' ? new RNN(inputSize, H, rnnOptions) : new LSTM(inputSize, H, rnnOptions);
    };
    this.encoder = rnn(c.embedDim);
    this.decoder = rnn(c.embedDim + (c.attention === 'additive' ? H : 0));
    this.attention =
      c.attention === 'additive'
        ? new AdditiveAttention(H, H, H, options)
        : c.attention === 'dot'
          ? new DotProductAttention()
          : null;
    this.combine = c.attention === 'none' ? null : new Linear(2 * H, H, options);
    this.dropout = new Dropout(c.dropout, options.generator);
    this.lm_head = new Linear(H, c.tgtVocabSize, options);
  }

  encode(src: Tensor): Seq2SeqRNNState {
    checkTokens('Seq2SeqRNN', 'src', src);
    const mask = src.ne(this.config.padId);
    const x = this.dropout.forward(this.src_embed.forward(src));
    const padded = mask.data().some((v) => v === 0);
    const lengths = { mask: padded ? mask : undefined }; // an unpadded batch needs no per-row lengths
    const out =
      this.encoder instanceof LSTM
        ? this.encoder.forward(x, null, lengths)
        : { ...this.encoder.forward(x, null, lengths), c: null };
    const keys = this.attention ? this.attention.projectKeys(out.output) : out.output;
    return new Seq2SeqRNNState(out.output, keys, padded ? mask.logicalNot() : null, out.h, out.c);
  }

  /**
   * Runs the decoder over embedded targets `[B, T, E]` from `state`: every step at once without
   * attention or with dot attention; additive attention feeds each step's context into the RNN, so
   * it takes one step at a time. Returns the output features `[B, T, H]`, the advanced state and
   * the attention weights `[B, T, S]` (null without attention; only for a single step with additive).
   */
  private decode(state: Seq2SeqRNNState, emb: Variable): DecoderOutput {
    const additive = this.attention instanceof AdditiveAttention;
    if (additive && emb.shape[1] !== 1) {
      const steps: Variable[] = [];
      let s = state;
      for (let t = 0; t < emb.shape[1]!; t++) {
        const out = this.decode(s, emb.narrow(1, t, 1));
        steps.push(out.features);
        s = out.state;
      }
      return { features: concat(steps, 1), state: s, weights: null };
    }
    let attended: SourceAttentionOutput | null = null;
    let input = emb;
    if (additive) {
      const query = state.h.select(0, this.config.numLayers - 1).unsqueeze(1); // (B, 1, H): previous top state
      attended = this.attention!.forward(query, state.keys, state.memory, state.srcPadding);
      input = concat([emb, attended.context], -1); // (B, 1, E + H)
    }
    const out =
      this.decoder instanceof LSTM
        ? this.decoder.forward(input, { h: state.h, c: state.c! })
        : { ...this.decoder.forward(input, state.h), c: null };
    if (this.attention && !additive)
      attended = this.attention.forward(out.output, state.keys, state.memory, state.srcPadding);
    const features = attended
      ? tanh(this.combine!.forward(concat([out.output, attended.context], -1)))
      : out.output;
    return { features, state: state.advance(out.h, out.c), weights: attended?.weights ?? null };
  }

  forward(src: Tensor, tgtIn: Tensor): Variable {
    const state = this.encode(src);
    checkTokens('Seq2SeqRNN', 'tgtIn', tgtIn, src.shape[0]);
    const { features } = this.decode(state, this.dropout.forward(this.tgt_embed.forward(tgtIn)));
    return this.lm_head.forward(this.dropout.forward(features));
  }

  loss(src: Tensor, tgtIn: Tensor, tgtOut: Tensor, options: Seq2SeqLossOptions = {}): Variable {
    return seq2seqLoss('Seq2SeqRNN.loss', this.forward(src, tgtIn), tgtOut, this.config.padId, options);
  }

  decodeStep(
    state: Seq2SeqRNNState,
    tokens: Tensor,
    options: DecodeStepOptions = {},
  ): Seq2SeqStep<Seq2SeqRNNState> {
    const B = state.batchSize;
    if (tokens.dtype !== 'int32' || tokens.ndim !== 1 || tokens.shape[0] !== B)
      throw new ShapeError(
        `Seq2SeqRNN.decodeStep: tokens must be int32 [${B}], got ${tokens.dtype} [${tokens.shape.join(', ')}]`,
      );
    const emb = this.dropout.forward(this.tgt_embed.forward(tokens.reshape([B, 1])));
    const out = this.decode(state, emb);
    const logits = this.lm_head.forward(this.dropout.forward(out.features));
    const attention = options.attention ? out.weights?.data.reshape([B, -1]) : undefined;
    return { logits: logits.reshape([B, this.config.tgtVocabSize]), state: out.state, attention };
  }
}

/**
 * Decoding state of a {@link Seq2SeqRNN}: the encoder states (attention values), their keys, the
 * source padding, and the decoder's hidden (and LSTM cell) state `[L, B, H]`. Immutable: each step
 * returns a new one.
 */
export class Seq2SeqRNNState implements Seq2SeqState {
  constructor(
    readonly memory: Variable,
    readonly keys: Variable,
    readonly srcPadding: Tensor | null,
    readonly h: Variable,
    readonly c: Variable | null,
  ) {}

  get batchSize(): number {
    return this.memory.shape[0]!;
  }

  /** The same source with a new decoder state. */
  advance(h: Variable, c: Variable | null): Seq2SeqRNNState {
    return new Seq2SeqRNNState(this.memory, this.keys, this.srcPadding, h, c);
  }

  select(index: Tensor): Seq2SeqRNNState {
    const rows = index.to('int32');
    const pick = (v: Variable, dim: number) => new Variable(v.data.indexSelect(dim, rows));
    return new Seq2SeqRNNState(
      pick(this.memory, 0),
      pick(this.keys, 0),
      this.srcPadding ? this.srcPadding.indexSelect(0, rows) : null,
      pick(this.h, 1),
      this.c ? pick(this.c, 1) : null,
    );
  }
}
