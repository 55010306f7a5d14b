import {
  causalMask,
  lift,
  scaledDotProductAttention,
  split,
  type Variable,
  type VariableLike,
} from '@proj/autograd';
import { DTypeError, type Generator, matmul, ShapeError, softmax, type Tensor, where } from '@proj/tensor';
import { Dropout } from '../layers/activation.js';
import { type LayerOptions, Linear } from '../layers/linear.js';
import { Module } from '../module.js';
import { RotaryEmbedding, type RotaryOptions } from '../positional/rotary.js';
import type { AttentionCache } from './kv-cache.js';

/** Options of {@link MultiHeadAttention}. */
export interface MultiHeadAttentionOptions extends LayerOptions {
  /** Key/value heads (default `nHead`); fewer gives grouped-query attention, 1 multi-query. */
  nKVHead?: number;
  /** Biases in the projections (default true). */
  bias?: boolean;
  /** Self-attention hides future keys (default false; GPT uses true). */
  causal?: boolean;
  /** Dropout on the attention weights, in training mode (default 0). */
  dropout?: number;
  /** Dropout on the output projection, nanoGPT's `resid_dropout` (default 0). */
  residDropout?: number;
  /** Rotate queries and keys by position (RoPE) in self-attention: `true` or its options. */
  rotary?: boolean | RotaryOptions;
}

/** Per-call options of {@link MultiHeadAttention.forward}. */
export interface AttentionForwardOptions {
  /** Cross-attention: keys and values come from `context` `[B, S, nEmbd]` (an encoder's output). */
  context?: VariableLike;
  /**
   * Incremental decoding: self-attention appends this step's keys/values and attends to all of
   * them; cross-attention projects `context` once and reuses it on later steps.
   */
  cache?: AttentionCache;
  /** Overrides the constructor's `causal` for this call. */
  causal?: boolean;
  /** Bool mask broadcastable to `[B, nHead, T, S]`, true = may attend; or a float mask added to the scores. */
  mask?: Tensor;
  /** Bool `[B, S]`, true marks a padded key that no query may attend to (PyTorch's `key_padding_mask`). */
  keyPaddingMask?: Tensor;
  /** Position of the first token for rotary embeddings without a cache (default 0). */
  positionOffset?: number;
  /**
   * Receives the attention probabilities `[B, nHead, T, S]` of this call (masks applied, before
   * attention dropout), computed again from the same queries and keys without a graph: for
   * inspecting what attends where, as PyTorch's `need_weights=True` (per head, unaveraged).
   */
  onWeights?: (weights: Tensor) => void;
}

/**
 * Multi-head scaled dot-product attention with one fused query/key/value projection, nanoGPT's
 * `CausalSelfAttention` generalised: self- or cross-attention, causal and padding masks, attention
 * dropout, a KV cache, rotary positions and grouped-query heads. The attention is
 * `scaledDotProductAttention`: one fused kernel per direction unless attention dropout is active.
 *
 * Parameters: `c_attn` `[(nHead + 2·nKVHead)·headSize, nEmbd]` (rows: queries, keys, values; for
 * cross-attention the query rows project `x` and the key/value rows project `context`, as PyTorch's
 * `in_proj_weight`), `c_proj` `[nEmbd, nEmbd]`.
 *
 * Shapes: `x` `[B, T, nEmbd]` (and `context` `[B, S, nEmbd]`) → `[B, T, nEmbd]`.
 * A query whose keys are all masked gets NaN, as in PyTorch.
 * @example new MultiHeadAttention(128, 4, { causal: true }).forward(x) // x: [B, T, 128]
 */
export class MultiHeadAttention extends Module {
  c_attn: Linear;
  c_proj: Linear;
  resid_dropout: Dropout;
  readonly nKVHead: number;
  readonly headSize: number;
  readonly causal: boolean;
  readonly dropout: number;
  readonly rotary: RotaryEmbedding | null;
  private readonly _generator: Generator | undefined;

  constructor(
    readonly nEmbd: number,
    readonly nHead: number,
    options: MultiHeadAttentionOptions = {},
  ) {
    super();
    this.nKVHead = options.nKVHead ?? nHead;
    if (!(Number.isInteger(nHead) && nHead > 0 && nEmbd % nHead === 0))
      throw new RangeError(`MultiHeadAttention: nEmbd ${nEmbd} is not divisible by nHead ${nHead}`);
    if (!(Number.isInteger(this.nKVHead) && this.nKVHead > 0 && nHead % this.nKVHead === 0))
      throw new RangeError(`MultiHeadAttention: nHead ${nHead} is not divisible by nKVHead ${this.nKVHead}`);
    this.headSize = nEmbd / nHead;
    const layer = { bias: options.bias ?? true, dtype: options.dtype, generator: options.generator };
    // key, query, value projections for all heads, but in a batch
    this.c_attn = new Linear(nEmbd, (nHead + 2 * this.nKVHead) * this.headSize, layer);
    // output projection
    this.c_proj = new Linear(nEmbd, nEmbd, layer);
    this.resid_dropout = new Dropout(options.residDropout ?? 0, options.generator);
    this.causal = options.causal ?? false;
    this.dropout = options.dropout ?? 0;
    this._generator = options.generator;
    const rotary = options.rotary ?? false;
    this.rotary = rotary ? new RotaryEmbedding(this.headSize, rotary === true ? {} : rotary) : null;
  }

  forward(x: VariableLike, options: AttentionForwardOptions = {}): Variable {
    const vx = lift(x);
    this.checkInput('x', vx);
    const [B, T] = vx.shape as [number, number, number];
    const { nHead: nh, nKVHead: nkv, headSize: hs } = this;
    const cache = options.cache;
    let q: Variable;
    let k: Variable;
    let v: Variable;
    if (options.context === undefined) {
      // self-attention: one matmul projects queries, keys and values, computed transposed so that
      // every head is a strided view the attention matmuls read in place (no copies)
      const heads = this.projectHeads(vx); // (nh + 2·nkv, hs, B, T)
      q = heads.narrow(0, 0, nh).permute([2, 0, 3, 1]); // (B, nh, T, hs)
      k = heads.narrow(0, nh, nkv).permute([2, 0, 3, 1]); // (B, nkv, T, hs)
      v = heads.narrow(0, nh + nkv, nkv).permute([2, 0, 3, 1]); // (B, nkv, T, hs)
      if (this.rotary) {
        const offset = cache ? cache.length : (options.positionOffset ?? 0);
        q = this.rotary.apply(q, offset);
        k = this.rotary.apply(k, offset);
      }
      if (cache) [k, v] = cache.append(k, v); // (B, nkv, S, hs) with S = past + T
    } else {
      // cross-attention: the query rows of c_attn project x, the key/value rows project the context
      q = this.c_attn
        .forwardSlice(vx, 0, nh * hs)
        .view([B, T, nh, hs])
        .transpose(1, 2); // (B, nh, T, hs)
      const stored = cache?.get();
      if (stored) [k, v] = stored;
      else {
        const context = lift(options.context);
        this.checkInput('context', context, B);
        const S = context.shape[1]!;
        const kv = this.c_attn.forwardSlice(context, nh * hs, 2 * nkv * hs); // (B, S, 2·nkv·hs)
        [k, v] = split(kv, [nkv * hs, nkv * hs], 2) as Pair;
        k = k.view([B, S, nkv, hs]).transpose(1, 2); // (B, nkv, S, hs)
        v = v.view([B, S, nkv, hs]).transpose(1, 2); // (B, nkv, S, hs)
        if (cache) [k, v] = cache.append(k, v);
      }
    }
    const mask = this.combineMasks(options, B, k.shape[2]!);
    const attention = {
      causal: options.causal ?? (options.context === undefined && this.causal),
      dropout: this.training ? this.dropout : 0,
      mask,
      generator: this._generator,
    };
    options.onWeights?.(attentionProbabilities(q.data, k.data, attention.causal, mask));
    // one fused kernel per direction unless attention dropout is on (then the composed ops)
    let y: Variable;
    if (nkv === nh) {
      // (B, nh, T, hs) x (B, nh, hs, S) -> (B, nh, T, S) -> (B, nh, T, hs)
      y = scaledDotProductAttention(q, k, v, attention);
    } else {
      // grouped-query: each key/value head serves nh/nkv query heads, broadcast without copying
      // (the fused kernel indexes key/value head ⌊h / g⌋)
      const g = nh / nkv;
      const q5 = q.view([B, nkv, g, T, hs]); // (B, nkv, g, T, hs)
      const k5 = k.unsqueeze(2); // (B, nkv, 1, S, hs)
      const v5 = v.unsqueeze(2); // (B, nkv, 1, S, hs)
      const mask5 = mask && mask.ndim === 4 ? groupMask(mask, nkv, g) : mask;
      y = scaledDotProductAttention(q5, k5, v5, { ...attention, mask: mask5 });
      y = y.view([B, nh, T, hs]); // (B, nh, T, hs)
    }
    y = y.transpose(1, 2).reshape([B, T, nh * hs]); // (B, T, C): re-assemble all head outputs side by side
    return this.resid_dropout.forward(this.c_proj.forward(y));
  }

  /**
   * `c_attn(x)` transposed, `weight · xᵀ (+ bias)` for `x` `[B, T, C]`, as heads `[nh + 2·nkv, hs, B, T]`:
   * the same products as `c_attn.forward(x)`, in a layout where each head's `(T, hs)` matrices are
   * strided views.
   */
  private projectHeads(x: Variable): Variable {
    const [B, T, C] = x.shape as [number, number, number];
    const y = this.c_attn.forwardTransposed(x.reshape([B * T, C])); // ((nh + 2·nkv)·hs, B·T)
    return y.view([this.nHead + 2 * this.nKVHead, this.headSize, B, T]);
  }

  private checkInput(name: string, v: Variable, batch?: number): void {
    if (v.ndim !== 3 || v.shape[2] !== this.nEmbd || (batch !== undefined && v.shape[0] !== batch))
      throw new ShapeError(
        `MultiHeadAttention: ${name} must be [${batch ?? 'B'}, ${name === 'x' ? 'T' : 'S'}, ${this.nEmbd}], got [${v.shape.join(', ')}]`,
      );
  }

  /** The user's mask and the key-padding mask as one mask broadcastable to `[B, nh, T, S]`. */
  private combineMasks(options: AttentionForwardOptions, B: number, S: number): Tensor | undefined {
    const { mask, keyPaddingMask: padding } = options;
    if (!padding) return mask;
    if (padding.dtype !== 'bool')
      throw new DTypeError(`MultiHeadAttention: keyPaddingMask must be bool, got ${padding.dtype}`);
    if (padding.ndim !== 2 || padding.shape[0] !== B || padding.shape[1] !== S)
      throw new ShapeError(
        `MultiHeadAttention: keyPaddingMask must be [B, S] = [${B}, ${S}] (S counts cached keys), got [${padding.shape.join(', ')}]`,
      );
    const keep = padding.logicalNot().view([B, 1, 1, S]); // (B, 1, 1, S)
    if (!mask) return keep;
    return mask.dtype === 'bool' ? keep.logicalAnd(mask) : where(keep, mask, Number.NEGATIVE_INFINITY);
  }
}

type Pair = [Variable, Variable];

/**
 * `softmax(q·kᵀ/√hs)` with the causal and user masks, as the attention kernel weighs the values:
 * `q` `[B, nh, T, hs]`, `k` `[B, nkv, S, hs]` (each key head serving `nh/nkv` query heads) →
 * `[B, nh, T, S]`.
 */
function attentionProbabilities(q: Tensor, k: Tensor, causal: boolean, mask: Tensor | undefined): Tensor {
  const [B, nh, T, hs] = q.shape as [number, number, number, number];
  const [, nkv, S] = k.shape as [number, number, number, number];
  const keys =
    nkv === nh
      ? k
      : k
          .unsqueeze(2)
          .expand([B, nkv, nh / nkv, S, hs])
          .reshape([B, nh, S, hs]);
  let scores = matmul(q, keys.transpose(-2, -1)).mul(1 / Math.sqrt(hs)); // (B, nh, T, S)
  if (causal) scores = scores.maskedFill(causalMask(T, S), Number.NEGATIVE_INFINITY);
  if (mask) scores = mask.dtype === 'bool' ? where(mask, scores, Number.NEGATIVE_INFINITY) : scores.add(mask);
  return softmax(scores, -1);
}

/** A 4-d mask `[b, nh|1, t, s]` as `[b, nkv|1, g|1, t, s]` to match grouped-query scores. */
function groupMask(mask: Tensor, nkv: number, g: number): Tensor {
  const [b, h, t, s] = mask.shape as [number, number, number, number];
  return h === 1 ? mask.unsqueeze(1) : mask.reshape([b, nkv, g, t, s]);
}
