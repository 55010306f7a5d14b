import { lift, type Variable, type VariableLike } from '@proj/autograd';
import type { Tensor } from '@proj/tensor';
import type { AttentionCache } from '../attention/kv-cache.js';
import { MultiHeadAttention } from '../attention/multi-head-attention.js';
import { Dropout, GELU, ReLU } from '../layers/activation.js';
import { type LayerOptions, Linear } from '../layers/linear.js';
import { LayerNorm } from '../layers/norm.js';
import { Module } from '../module.js';

/** Options of {@link TransformerEncoderLayer} and {@link TransformerDecoderLayer} (PyTorch's, camelCased). */
export interface TransformerLayerOptions extends LayerOptions {
  /** Width of the feed-forward block (default 2048, as PyTorch). */
  dimFeedforward?: number;
  /** Dropout on attention weights, each residual branch and inside the feed-forward block (default 0.1). */
  dropout?: number;
  /** Feed-forward activation (default `'relu'`). */
  activation?: 'relu' | 'gelu';
  /** Layer-norm epsilon (default 1e-5). */
  layerNormEps?: number;
  /** Pre-norm (`x + f(norm(x))`) instead of post-norm (`norm(x + f(x))`, the default), PyTorch's `norm_first`. */
  normFirst?: boolean;
}

/** Per-call options of {@link TransformerEncoderLayer.forward}. */
export interface EncoderLayerForwardOptions {
  /** Bool `[B, S]`, true at padded source positions (PyTorch's `src_key_padding_mask`). */
  keyPaddingMask?: Tensor;
  /** Bool mask broadcastable to `[B, nHead, S, S]`, true = may attend; or a float mask added to the scores. */
  mask?: Tensor;
}

/** Per-call options of {@link TransformerDecoderLayer.forward}. */
export interface DecoderLayerForwardOptions {
  /** Hide future target positions in self-attention (default true). */
  causal?: boolean;
  /** Bool `[B, T]`, true at padded target positions (PyTorch's `tgt_key_padding_mask`). */
  tgtKeyPaddingMask?: Tensor;
  /** Bool `[B, S]`, true at padded memory positions (PyTorch's `memory_key_padding_mask`). */
  memoryKeyPaddingMask?: Tensor;
  /** Incremental decoding: self-attention keys/values so far, and the projected memory. */
  cache?: DecoderLayerCache;
  /** Receives the cross-attention probabilities `[B, nHead, T, S]` (see `AttentionForwardOptions.onWeights`). */
  onCrossAttentionWeights?: (weights: Tensor) => void;
}

/** The two attention caches one decoder layer keeps while decoding step by step. */
export interface DecoderLayerCache {
  self: AttentionCache;
  cross: AttentionCache;
}

/**
 * What both layers share: the feed-forward block `linear2(dropout(act(linear1(x))))` and the
 * residual wiring. Subclasses declare the modules in PyTorch's order, so parameters list as there.
 */
abstract class TransformerLayerBase extends Module {
  abstract linear1: Linear;
  abstract dropout: Dropout;
  abstract linear2: Linear;
  readonly normFirst: boolean;
  private readonly _activation: ReLU | GELU;

  protected constructor(options: TransformerLayerOptions) {
    super();
    this.normFirst = options.normFirst ?? false;
    this._activation = options.activation === 'gelu' ? new GELU() : new ReLU();
  }

  protected feedForward(x: Variable): Variable {
    return this.linear2.forward(this.dropout.forward(this._activation.forward(this.linear1.forward(x))));
  }

  /** `x + drop(f(norm(x)))` when pre-norm, else `norm(x + drop(f(x)))`. */
  protected residual(x: Variable, norm: LayerNorm, drop: Dropout, f: (h: Variable) => Variable): Variable {
    return this.normFirst ? x.add(drop.forward(f(norm.forward(x)))) : norm.forward(x.add(drop.forward(f(x))));
  }
}

/** `linear1`, `dropout`, `linear2` of the feed-forward block. */
function feedForwardModules(dModel: number, options: TransformerLayerOptions) {
  const ff = options.dimFeedforward ?? 2048;
  return {
    linear1: new Linear(dModel, ff, options),
    dropout: new Dropout(options.dropout ?? 0.1, options.generator),
    linear2: new Linear(ff, dModel, options),
  };
}

/** Factories of a layer's `norm1…` layer norms and `dropout1…` residual dropouts. */
function residualModules(dModel: number, options: TransformerLayerOptions) {
  const norm = { eps: options.layerNormEps ?? 1e-5, dtype: options.dtype };
  return {
    norm: () => new LayerNorm(dModel, norm),
    dropout: () => new Dropout(options.dropout ?? 0.1, options.generator),
  };
}

function attention(dModel: number, nHead: number, options: TransformerLayerOptions): MultiHeadAttention {
  const { dtype, generator, dropout = 0.1 } = options;
  return new MultiHeadAttention(dModel, nHead, { dtype, generator, dropout });
}

/**
 * One encoder layer of "Attention Is All You Need", as PyTorch's `nn.TransformerEncoderLayer`
 * (batch-first): self-attention then a feed-forward block, each in a residual branch with layer norm
 * after (default) or before (`normFirst`). Field names follow PyTorch (`self_attn`, `linear1`,
 * `linear2`, `norm1`, `norm2`); inside attention, `c_attn`/`c_proj` hold PyTorch's
 * `in_proj_weight`/`in_proj_bias`/`out_proj` (see {@link fromTorchTransformerStateDict}).
 *
 * Shapes: `src` `[B, S, dModel]` → `[B, S, dModel]`.
 * @example new TransformerEncoderLayer(64, 4, { dimFeedforward: 256 }).forward(x, { keyPaddingMask })
 */
export class TransformerEncoderLayer extends TransformerLayerBase {
  self_attn: MultiHeadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;

  constructor(
    readonly dModel: number,
    readonly nHead: number,
    options: TransformerLayerOptions = {},
  ) {
    super(options);
    this.self_attn = attention(dModel, nHead, options);
    ({
      linear1: this.linear1,
      dropout: this.dropout,
      linear2: this.linear2,
    } = feedForwardModules(dModel, options));
    const make = residualModules(dModel, options);
    this.norm1 = make.norm();
    this.norm2 = make.norm();
    this.dropout1 = make.dropout();
    this.dropout2 = make.dropout();
  }

  forward(src: VariableLike, options: EncoderLayerForwardOptions = {}): Variable {
    const attend = (h: Variable) =>
      this.self_attn.forward(h, {
        keyPaddingMask: options.keyPaddingMask,
        mask: options.mask,
      });
    const x = this.residual(lift(src), this.norm1, this.dropout1, attend);
    return this.residual(x, this.norm2, this.dropout2, (h) => this.feedForward(h));
  }
}

/**
 * One decoder layer, as PyTorch's `nn.TransformerDecoderLayer` (batch-first): causal self-attention,
 * cross-attention to the encoder's memory (`multihead_attn`), then a feed-forward block, each a
 * residual branch with `norm1`…`norm3` after (default) or before (`normFirst`).
 *
 * Shapes: `tgt` `[B, T, dModel]`, `memory` `[B, S, dModel]` → `[B, T, dModel]`. While decoding with
 * `options.cache`, `tgt` holds only the new positions and `memory` is projected once.
 */
export class TransformerDecoderLayer extends TransformerLayerBase {
  self_attn: MultiHeadAttention;
  multihead_attn: MultiHeadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;

  constructor(
    readonly dModel: number,
    readonly nHead: number,
    options: TransformerLayerOptions = {},
  ) {
    super(options);
    this.self_attn = attention(dModel, nHead, options);
    this.multihead_attn = attention(dModel, nHead, options);
    ({
      linear1: this.linear1,
      dropout: this.dropout,
      linear2: this.linear2,
    } = feedForwardModules(dModel, options));
    const make = residualModules(dModel, options);
    this.norm1 = make.norm();
    this.norm2 = make.norm();
    this.norm3 = make.norm();
    this.dropout1 = make.dropout();
    this.dropout2 = make.dropout();
    this.dropout3 = make.dropout();
  }

  forward(tgt: VariableLike, memory: VariableLike, options: DecoderLayerForwardOptions = {}): Variable {
    const { cache, tgtKeyPaddingMask, memoryKeyPaddingMask } = options;
    const selfAttend = (h: Variable) =>
      this.self_attn.forward(h, {
        causal: options.causal ?? true,
        keyPaddingMask: tgtKeyPaddingMask,
        cache: cache?.self,
      });
    const crossAttend = (h: Variable) =>
      this.multihead_attn.forward(h, {
        context: memory,
        keyPaddingMask: memoryKeyPaddingMask,
        cache: cache?.cross,
        onWeights: options.onCrossAttentionWeights,
      });
    let x = this.residual(lift(tgt), this.norm1, this.dropout1, selfAttend);
    x = this.residual(x, this.norm2, this.dropout2, crossAttend);
    return this.residual(x, this.norm3, this.dropout3, (h) => this.feedForward(h));
  }
}
