import { lift, type Variable, type VariableLike } from '@proj/autograd';
import type { AttentionCache } from '../attention/kv-cache.js';
import {
  type AttentionForwardOptions,
  MultiHeadAttention,
  type MultiHeadAttentionOptions,
} from '../attention/multi-head-attention.js';
import { Module } from '../module.js';
import { MLP } from './mlp.js';
import { LayerNorm } from './norm.js';

/** Options of {@link TransformerBlock}. */
export interface TransformerBlockOptions extends Omit<MultiHeadAttentionOptions, 'residDropout'> {
  /** Dropout on attention weights and on both residual branches (default 0). */
  dropout?: number;
  /** Layer-norm epsilon (default 1e-5). */
  eps?: number;
  /** GELU form of the MLP (default `'none'`, exact). */
  approximate?: 'none' | 'tanh';
  /** MLP hidden width (default `4·nEmbd`). */
  hidden?: number;
}

/** Per-call options of {@link TransformerBlock.forward}. */
export type BlockForwardOptions = Omit<AttentionForwardOptions, 'context' | 'cache'> & {
  cache?: AttentionCache;
};

/**
 * A pre-norm transformer block, nanoGPT's `Block`: `x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))`.
 * Causal by default, as in a decoder-only model.
 *
 * Shapes: `x` `[B, T, nEmbd]` → `[B, T, nEmbd]`.
 * @example new TransformerBlock(128, 4).forward(x) // x: [B, T, 128]
 */
export class TransformerBlock extends Module {
  ln_1: LayerNorm;
  attn: MultiHeadAttention;
  ln_2: LayerNorm;
  mlp: MLP;

  constructor(
    readonly nEmbd: number,
    readonly nHead: number,
    options: TransformerBlockOptions = {},
  ) {
    super();
    const { dropout = 0, eps = 1e-5, approximate, hidden, ...attention } = options;
    const norm = { eps, bias: options.bias ?? true, dtype: options.dtype };
    this.ln_1 = new LayerNorm(nEmbd, norm);
    this.attn = new MultiHeadAttention(nEmbd, nHead, {
      ...attention,
      causal: attention.causal ?? true, // after the spread: `causal: undefined` keeps the default
      dropout,
      residDropout: dropout,
    });
    this.ln_2 = new LayerNorm(nEmbd, norm);
    this.mlp = new MLP(nEmbd, {
      hidden,
      approximate,
      bias: options.bias,
      dtype: options.dtype,
      generator: options.generator,
      dropout,
    });
  }

  forward(x: VariableLike, options: BlockForwardOptions = {}): Variable {
    let h = lift(x);
    h = h.add(this.attn.forward(this.ln_1.forward(h), options));
    h = h.add(this.mlp.forward(this.ln_2.forward(h)));
    return h;
  }
}
