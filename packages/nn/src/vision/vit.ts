import { concat, lift, noGrad, type Variable, type VariableLike } from '@proj/autograd';
import { type Size2d, type Tensor, zeros } from '@proj/tensor';
import { attentionWeights } from '../attention/attention-weights.js';
import { definedEntries } from '../defined-entries.js';
import * as init from '../init.js';
import { Dropout } from '../layers/activation.js';
import { type LayerOptions, Linear } from '../layers/linear.js';
import { Module, Parameter } from '../module.js';
import { TransformerEncoder } from '../seq2seq/transformer-stacks.js';
import { PatchEmbedding } from './patch-embedding.js';

/** The shape of a {@link ViT}; fields with a default may be left out. */
export interface ViTConfig {
  /** Input image size `[H, W]` (or one number for square images). */
  imageSize: Size2d;
  /** Patch size; must divide the image size. */
  patchSize: Size2d;
  /** Classes of the classification head. */
  numClasses: number;
  /** Width of the token vectors. */
  dim: number;
  /** Encoder blocks. */
  depth: number;
  /** Attention heads per block; must divide `dim`. */
  heads: number;
  /** Image channels (default 3). */
  inChannels?: number;
  /** Hidden width of each block's MLP (default `4·dim`). */
  mlpDim?: number;
  /** Dropout after the position embedding, on attention weights and in every residual branch (default 0). */
  dropout?: number;
  /** Epsilon of every LayerNorm (default 1e-5, PyTorch's). */
  layerNormEps?: number;
}

/**
 * A Vision Transformer (Dosovitskiy et al., 2021) for image classification: a {@link PatchEmbedding}
 * turns the image into patch tokens, a learned class token is prepended and learned positions
 * added, a {@link TransformerEncoder} of pre-norm blocks (`normFirst`, GELU MLP, a final LayerNorm)
 * mixes them, and a linear `head` classifies the class token's output.
 *
 * Parameters: `patch_embed.proj.*`, `cls_token` `[1, 1, dim]`, `pos_embed` `[1, numPatches + 1, dim]`,
 * `encoder.layers.i.*` (PyTorch's `nn.TransformerEncoderLayer` names; `self_attn.c_attn`/`c_proj` are
 * its `in_proj_*`/`out_proj`, see {@link fromTorchTransformerStateDict}), `encoder.norm.*`, `head.*`.
 * `cls_token` and `pos_embed` start as N(0, 0.02²); the layers as PyTorch's defaults.
 *
 * Shapes: `images` `[B, inChannels, H, W]` → logits `[B, numClasses]`.
 * @example
 * const vit = new ViT({ imageSize: 28, patchSize: 7, inChannels: 1, numClasses: 10, dim: 64, depth: 2, heads: 4 });
 * vit.forward(images) // [B, 10]
 */
export class ViT extends Module {
  patch_embed: PatchEmbedding;
  cls_token: Parameter;
  pos_embed: Parameter;
  dropout: Dropout;
  encoder: TransformerEncoder;
  head: Linear;
  readonly config: Readonly<Required<ViTConfig>>;

  constructor(config: ViTConfig, options: LayerOptions = {}) {
    super();
    const c = {
      inChannels: 3,
      mlpDim: 4 * config.dim,
      dropout: 0,
      layerNormEps: 1e-5,
      ...definedEntries(config),
    };
    this.config = c;
    const layer = { dtype: options.dtype, generator: options.generator };
    this.patch_embed = new PatchEmbedding(c.imageSize, c.patchSize, c.inChannels, c.dim, layer);
    const dtype = options.dtype ?? 'float32';
    const tokens = this.patch_embed.numPatches + 1;
    this.cls_token = init.normal(new Parameter(zeros([1, 1, c.dim], { dtype })), { ...layer, std: 0.02 });
    this.pos_embed = init.normal(new Parameter(zeros([1, tokens, c.dim], { dtype })), {
      ...layer,
      std: 0.02,
    });
    this.dropout = new Dropout(c.dropout, options.generator);
    this.encoder = new TransformerEncoder(c.dim, c.heads, {
      ...layer,
      numLayers: c.depth,
      dimFeedforward: c.mlpDim,
      dropout: c.dropout,
      activation: 'gelu',
      layerNormEps: c.layerNormEps,
      normFirst: true,
    });
    this.head = new Linear(c.dim, c.numClasses, layer);
  }

  /** The class token, then the patch tokens, plus positions: `[B, numPatches + 1, dim]`. */
  tokens(images: VariableLike): Variable {
    const patches = this.patch_embed.forward(lift(images)); // (B, N, D)
    const [B, , D] = patches.shape as [number, number, number];
    const cls = this.cls_token.expand([B, 1, D]); // (B, 1, D)
    return this.dropout.forward(concat([cls, patches], 1).add(this.pos_embed)); // (B, N + 1, D)
  }

  /** Every token's final representation (after the encoder's last norm): `[B, numPatches + 1, dim]`. */
  features(images: VariableLike): Variable {
    return this.encoder.forward(this.tokens(images));
  }

  /** Class logits `[B, numClasses]` from the class token's features. */
  forward(images: VariableLike): Variable {
    const h = this.features(images);
    return this.head.forward(h.select(1, 0)); // (B, D) -> (B, numClasses)
  }

  /**
   * How the class token attends in each block: per layer `[B, heads, numPatches + 1]`, the class
   * token's attention probabilities over itself (index 0) and the patches (1…, row-major over
   * `patch_embed.grid`). Runs without gradients, in the current mode (call {@link Module.eval} first
   * to turn dropout off).
   */
  classAttention(images: VariableLike): Tensor[] {
    return noGrad(() => {
      let x = this.tokens(images);
      return this.encoder.layers.map((layer) => {
        const weights = attentionWeights(layer.self_attn, layer.norm1.forward(x)); // (B, heads, T, T)
        x = layer.forward(x);
        return weights.data.select(2, 0).contiguous(); // (B, heads, T)
      });
    });
  }
}
