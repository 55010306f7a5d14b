import { indexSelect, Variable } from '@proj/autograd';
import { ShapeError, type Tensor } from '@proj/tensor';
import { AttentionCache } from '../attention/kv-cache.js';
import { definedEntries } from '../defined-entries.js';
import * as init from '../init.js';
import { Dropout } from '../layers/activation.js';
import { Embedding } from '../layers/embedding.js';
import { type LayerOptions, Linear } from '../layers/linear.js';
import { Module } from '../module.js';
import { LearnedPositionalEmbedding } from '../positional/learned.js';
import { SinusoidalPositionalEncoding } from '../positional/sinusoidal.js';
import {
  checkTokens,
  type DecodeStepOptions,
  type Seq2SeqLossOptions,
  type Seq2SeqModel,
  type Seq2SeqState,
  type Seq2SeqStep,
  seq2seqLoss,
} from './seq2seq-model.js';
import type { DecoderLayerCache, TransformerLayerOptions } from './transformer-layers.js';
import { TransformerDecoder, TransformerEncoder } from './transformer-stacks.js';

/** Configuration of {@link Transformer}; defaults are those of PyTorch's `nn.Transformer`. */
export interface TransformerConfig extends Omit<TransformerLayerOptions, 'dtype' | 'generator'> {
  srcVocabSize: number;
  tgtVocabSize: number;
  /** Model width (default 512). */
  dModel?: number;
  /** Attention heads (default 8). */
  nHead?: number;
  /** Encoder layers (default 6). */
  numEncoderLayers?: number;
  /** Decoder layers (default 6). */
  numDecoderLayers?: number;
  /** `'sinusoidal'` (default, Vaswani et al.) or `'learned'` position vectors, one table per side. */
  positional?: 'sinusoidal' | 'learned';
  /** Longest source or target: size of learned position tables and of decoding caches (default 256). */
  maxLength?: number;
  /** Padding id of both vocabularies (default 0): masked as keys and skipped by the loss. */
  padId?: number;
  /** Multiply embeddings by `√dModel` before adding positions, as the paper (default true). */
  scaleEmbedding?: boolean;
  /** Share the target embedding with the output projection (default false). */
  tieEmbeddings?: boolean;
}

type Positions = SinusoidalPositionalEncoding | LearnedPositionalEmbedding;

/**
 * The encoder-decoder transformer of "Attention Is All You Need" for sequence-to-sequence tasks:
 * token embeddings (scaled by √dModel) plus positions → {@link TransformerEncoder} over the source,
 * {@link TransformerDecoder} over the shifted target with causal self-attention and cross-attention
 * to the memory → `lm_head`. Source padding is masked in every attention over the source; target
 * padding is masked in decoder self-attention. The encoder and decoder are PyTorch's
 * `nn.Transformer.encoder`/`.decoder` (final norms included), so its weights load through
 * {@link fromTorchTransformerStateDict}.
 *
 * Shapes: int32 `src` `[B, S]`, `tgtIn` `[B, T]` → logits `[B, T, tgtVocabSize]`.
 * @example
 * const model = new Transformer({ srcVocabSize: 20, tgtVocabSize: 20, dModel: 32, nHead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64 });
 * model.loss(src, tgtIn, tgtOut).backward();
 */
export class Transformer extends Module implements Seq2SeqModel<TransformerState> {
  src_embed: Embedding;
  tgt_embed: Embedding;
  src_pos: Positions;
  tgt_pos: Positions;
  dropout: Dropout;
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;
  lm_head: Linear;
  readonly config: Readonly<Required<TransformerConfig>>;

  constructor(config: TransformerConfig, options: LayerOptions = {}) {
    super();
    const c = {
      dModel: 512,
      nHead: 8,
      numEncoderLayers: 6,
      numDecoderLayers: 6,
      dimFeedforward: 2048,
      dropout: 0.1,
      activation: 'relu' as const,
      layerNormEps: 1e-5,
      normFirst: false,
      positional: 'sinusoidal' as const,
      maxLength: 256,
      padId: 0,
      scaleEmbedding: true,
      tieEmbeddings: false,
      ...definedEntries(config),
    };
    this.config = c;
    const layer = { dtype: options.dtype, generator: options.generator };
    const d = c.dModel;
    this.src_embed = new Embedding(c.srcVocabSize, d, layer);
    this.tgt_embed = new Embedding(c.tgtVocabSize, d, layer);
    if (c.positional === 'learned') {
      this.src_pos = new LearnedPositionalEmbedding(c.maxLength, d, layer);
      this.tgt_pos = new LearnedPositionalEmbedding(c.maxLength, d, layer);
    } else {
      this.src_pos = this.tgt_pos = new SinusoidalPositionalEncoding(d, { dtype: options.dtype });
    }
    this.dropout = new Dropout(c.dropout, options.generator);
    const stack = { ...c, ...layer };
    this.encoder = new TransformerEncoder(d, c.nHead, { ...stack, numLayers: c.numEncoderLayers });
    this.decoder = new TransformerDecoder(d, c.nHead, { ...stack, numLayers: c.numDecoderLayers });
    this.lm_head = new Linear(d, c.tgtVocabSize, layer);
    // As nn.Transformer._reset_parameters: Xavier-uniform for every matrix of the two stacks, and
    // zero attention biases as nn.MultiheadAttention.
    for (const stackModule of [this.encoder, this.decoder])
      for (const [name, p] of stackModule.namedParameters()) {
        if (p.ndim > 1) init.xavierUniform(p, layer);
        else if (/(c_attn|c_proj)\.bias$/.test(name)) init.zeros(p);
      }
    if (c.scaleEmbedding)
      for (const e of [this.src_embed, this.tgt_embed]) init.normal(e.weight, { ...layer, std: d ** -0.5 });
    if (c.tieEmbeddings) this.lm_head.weight = this.tgt_embed.weight;
  }

  /** Scaled token embeddings plus positions `offset…`, then dropout. */
  private embed(table: Embedding, positions: Positions, ids: Tensor, offset = 0): Variable {
    const scale = this.config.scaleEmbedding ? Math.sqrt(this.config.dModel) : 1;
    const x = table.forward(ids).mul(scale).add(positions.forward(ids.shape[1]!, offset));
    return this.dropout.forward(x);
  }

  /** The encoder's output `[B, S, dModel]` and the source padding mask (null when nothing is padded). */
  encodeMemory(src: Tensor): { memory: Variable; srcPadding: Tensor | null } {
    checkTokens('Transformer', 'src', src);
    const srcPadding = paddingMask(src, this.config.padId);
    const x = this.embed(this.src_embed, this.src_pos, src);
    const memory = this.encoder.forward(x, { keyPaddingMask: srcPadding ?? undefined });
    return { memory, srcPadding };
  }

  forward(src: Tensor, tgtIn: Tensor): Variable {
    const { memory, srcPadding } = this.encodeMemory(src);
    checkTokens('Transformer', 'tgtIn', tgtIn, src.shape[0]);
    const tgtPadding = paddingMask(tgtIn, this.config.padId);
    const y = this.embed(this.tgt_embed, this.tgt_pos, tgtIn);
    const h = this.decoder.forward(y, memory, {
      tgtKeyPaddingMask: tgtPadding ?? undefined,
      memoryKeyPaddingMask: srcPadding ?? undefined,
    });
    return this.lm_head.forward(h);
  }

  loss(src: Tensor, tgtIn: Tensor, tgtOut: Tensor, options: Seq2SeqLossOptions = {}): Variable {
    return seq2seqLoss('Transformer.loss', this.forward(src, tgtIn), tgtOut, this.config.padId, options);
  }

  encode(src: Tensor): TransformerState {
    const { memory, srcPadding } = this.encodeMemory(src);
    return new TransformerState(
      memory,
      srcPadding,
      this.decoder.createCache(this.config.maxLength, src.shape[1]!),
      0,
    );
  }

  decodeStep(
    state: TransformerState,
    tokens: Tensor,
    options: DecodeStepOptions = {},
  ): Seq2SeqStep<TransformerState> {
    const B = state.batchSize;
    if (tokens.dtype !== 'int32' || tokens.ndim !== 1 || tokens.shape[0] !== B)
      throw new ShapeError(
        `Transformer.decodeStep: tokens must be int32 [${B}], got ${tokens.dtype} [${tokens.shape.join(', ')}]`,
      );
    let crossWeights: Tensor | undefined; // the last layer's, (B, nHead, 1, S)
    const y = this.embed(this.tgt_embed, this.tgt_pos, tokens.reshape([B, 1]), state.position);
    const h = this.decoder.forward(y, state.memory, {
      cache: state.caches,
      memoryKeyPaddingMask: state.srcPadding ?? undefined,
      onCrossAttentionWeights: options.attention ? (w) => (crossWeights = w) : undefined,
    });
    state.position++;
    const logits = this.lm_head.forward(h).reshape([B, this.config.tgtVocabSize]);
    return { logits, state, attention: crossWeights?.mean(1).reshape([B, -1]) };
  }
}

/** Bool `[B, L]`, true where `ids == padId`; null when no position is padding. */
function paddingMask(ids: Tensor, padId: number): Tensor | null {
  const mask = ids.eq(padId);
  return mask.data().some((v) => v !== 0) ? mask : null;
}

/**
 * Decoding state of a {@link Transformer}: the encoder memory and its padding mask, and per decoder
 * layer a self-attention KV cache and the projected memory (cross-attention keys and values).
 */
export class TransformerState implements Seq2SeqState {
  constructor(
    readonly memory: Variable,
    readonly srcPadding: Tensor | null,
    readonly caches: DecoderLayerCache[],
    /** Target positions consumed so far. */
    public position: number,
  ) {}

  get batchSize(): number {
    return this.memory.shape[0]!;
  }

  select(index: Tensor): TransformerState {
    const rows = index.to('int32');
    return new TransformerState(
      new Variable(this.memory.data.indexSelect(0, rows)),
      this.srcPadding ? this.srcPadding.indexSelect(0, rows) : null,
      this.caches.map((c) => ({ self: reindexCache(c.self, rows), cross: reindexCache(c.cross, rows) })),
      this.position,
    );
  }
}

/** A new cache holding `cache`'s keys and values for the batch rows `rows`. */
function reindexCache(cache: AttentionCache, rows: Tensor): AttentionCache {
  const out = new AttentionCache(cache.capacity);
  const stored = cache.get();
  if (stored) out.append(indexSelect(stored[0].data, 0, rows), indexSelect(stored[1].data, 0, rows));
  return out;
}
