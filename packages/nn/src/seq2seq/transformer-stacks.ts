import { lift, type Variable, type VariableLike } from '@proj/autograd';
import { AttentionCache } from '../attention/kv-cache.js';
import { LayerNorm } from '../layers/norm.js';
import { Module } from '../module.js';
import {
  type DecoderLayerCache,
  type DecoderLayerForwardOptions,
  type EncoderLayerForwardOptions,
  TransformerDecoderLayer,
  TransformerEncoderLayer,
  type TransformerLayerOptions,
} from './transformer-layers.js';

/** Options of {@link TransformerEncoder} and {@link TransformerDecoder}. */
export interface TransformerStackOptions extends TransformerLayerOptions {
  /** Layers in the stack. */
  numLayers: number;
  /** A final layer norm after the last layer, as `nn.Transformer` always adds (default true). */
  norm?: boolean;
}

/** Per-call options of {@link TransformerDecoder.forward} (`onCrossAttentionWeights` is called once per layer, in order). */
export type DecoderForwardOptions = Omit<DecoderLayerForwardOptions, 'cache'> & {
  /** One cache per layer, from {@link TransformerDecoder.createCache}. */
  cache?: DecoderLayerCache[];
};

/** Layers built by one factory, then an optional final layer norm (what both stacks share). */
abstract class TransformerStack<L extends Module> extends Module {
  layers: L[];
  norm: LayerNorm | null;

  protected constructor(
    readonly dModel: number,
    readonly nHead: number,
    options: TransformerStackOptions,
    makeLayer: () => L,
  ) {
    super();
    this.layers = Array.from({ length: options.numLayers }, makeLayer);
    this.norm =
      options.norm === false
        ? null
        : new LayerNorm(dModel, { eps: options.layerNormEps ?? 1e-5, dtype: options.dtype });
  }

  protected finish(x: Variable): Variable {
    return this.norm ? this.norm.forward(x) : x;
  }
}

/**
 * A stack of {@link TransformerEncoderLayer}s with an optional final `norm`, as PyTorch's
 * `nn.TransformerEncoder` (parameters `layers.0.self_attn…`, `norm.weight`).
 *
 * Shapes: `src` `[B, S, dModel]` → `[B, S, dModel]`.
 */
export class TransformerEncoder extends TransformerStack<TransformerEncoderLayer> {
  constructor(dModel: number, nHead: number, options: TransformerStackOptions) {
    super(dModel, nHead, options, () => new TransformerEncoderLayer(dModel, nHead, options));
  }

  forward(src: VariableLike, options: EncoderLayerForwardOptions = {}): Variable {
    let x = lift(src);
    for (const layer of this.layers) x = layer.forward(x, options);
    return this.finish(x);
  }
}

/**
 * A stack of {@link TransformerDecoderLayer}s with an optional final `norm`, as PyTorch's
 * `nn.TransformerDecoder`.
 *
 * Shapes: `tgt` `[B, T, dModel]`, `memory` `[B, S, dModel]` → `[B, T, dModel]`.
 */
export class TransformerDecoder extends TransformerStack<TransformerDecoderLayer> {
  constructor(dModel: number, nHead: number, options: TransformerStackOptions) {
    super(dModel, nHead, options, () => new TransformerDecoderLayer(dModel, nHead, options));
  }

  /**
   * Fresh caches for incremental decoding: self-attention keeps up to `capacity` target positions,
   * cross-attention the `memoryLength` projected memory positions.
   */
  createCache(capacity: number, memoryLength: number): DecoderLayerCache[] {
    return this.layers.map(() => ({
      self: new AttentionCache(capacity),
      cross: new AttentionCache(Math.max(1, memoryLength)),
    }));
  }

  forward(tgt: VariableLike, memory: VariableLike, options: DecoderForwardOptions = {}): Variable {
    const { cache, ...rest } = options;
    let x = lift(tgt);
    this.layers.forEach((layer, i) => {
      x = layer.forward(x, memory, { ...rest, cache: cache?.[i] });
    });
    return this.finish(x);
  }
}
