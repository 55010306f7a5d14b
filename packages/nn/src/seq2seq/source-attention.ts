import { lift, matmul, softmax, type Variable, type VariableLike } from '@proj/autograd';
import { ShapeError, type Tensor } from '@proj/tensor';
import type { LayerOptions } from '../layers/linear.js';
import { Linear } from '../layers/linear.js';
import { Module } from '../module.js';

/** What an attention over encoder states returns. */
export interface SourceAttentionOutput {
  /** Weighted sum of the values, `[B, T, valueDim]`. */
  context: Variable;
  /** Attention weights over source positions, `[B, T, S]` (0 at padding). */
  weights: Variable;
}

/**
 * Attention of a recurrent decoder over the encoder's states: keys are computed once per source
 * ({@link projectKeys}), then each query scores every source position.
 */
export interface SourceAttention {
  /** Keys from the encoder states `[B, S, ·]`, cached for the whole decoding. */
  projectKeys(memory: VariableLike): Variable;
  /**
   * Shapes: `query` `[B, T, queryDim]`, `keys` from {@link projectKeys}, `values` `[B, S, valueDim]`,
   * bool `padding` `[B, S]` (true = padded source position, never attended).
   */
  forward(
    query: VariableLike,
    keys: VariableLike,
    values: VariableLike,
    padding?: Tensor | null,
  ): SourceAttentionOutput;
}

function attend(
  scores: Variable,
  values: VariableLike,
  padding: Tensor | null | undefined,
): SourceAttentionOutput {
  const [B, , S] = scores.shape as [number, number, number];
  if (padding && (padding.ndim !== 2 || padding.shape[0] !== B || padding.shape[1] !== S))
    throw new ShapeError(`SourceAttention: padding must be [${B}, ${S}], got [${padding.shape.join(', ')}]`);
  const masked = padding ? scores.maskedFill(padding.view([B, 1, S]), Number.NEGATIVE_INFINITY) : scores;
  const weights = softmax(masked, -1); // (B, T, S)
  return { context: matmul(weights, values), weights }; // (B, T, S) x (B, S, Dv) -> (B, T, Dv)
}

/**
 * Additive attention of Bahdanau et al. (2015): `score(q, kⱼ) = vᵀ tanh(W_q·q + W_k·kⱼ + b)`.
 * Parameters: `query` `[attnDim, queryDim]`, `key` `[attnDim, keyDim]` (+ bias), `v` `[1, attnDim]`.
 *
 * Shapes: see {@link SourceAttention}; keys are `[B, S, attnDim]`.
 */
export class AdditiveAttention extends Module implements SourceAttention {
  query: Linear;
  key: Linear;
  v: Linear;

  constructor(queryDim: number, keyDim: number, attnDim: number, options: LayerOptions = {}) {
    super();
    this.query = new Linear(queryDim, attnDim, { ...options, bias: false });
    this.key = new Linear(keyDim, attnDim, options);
    this.v = new Linear(attnDim, 1, { ...options, bias: false });
  }

  projectKeys(memory: VariableLike): Variable {
    return this.key.forward(memory); // (B, S, A)
  }

  forward(
    query: VariableLike,
    keys: VariableLike,
    values: VariableLike,
    padding?: Tensor | null,
  ): SourceAttentionOutput {
    const q = this.query.forward(query).unsqueeze(2); // (B, T, 1, A)
    const k = lift(keys).unsqueeze(1); // (B, 1, S, A)
    const scores = this.v.forward(q.add(k).tanh()).squeeze(-1); // (B, T, S, 1) -> (B, T, S)
    return attend(scores, values, padding);
  }
}

/**
 * Dot-product ("global, dot") attention of Luong et al. (2015): `score(q, kⱼ) = q·kⱼ`, with the
 * encoder states themselves as keys. No parameters.
 *
 * Shapes: see {@link SourceAttention}; `queryDim` must equal the encoder state size.
 */
export class DotProductAttention extends Module implements SourceAttention {
  projectKeys(memory: VariableLike): Variable {
    return lift(memory);
  }

  forward(
    query: VariableLike,
    keys: VariableLike,
    values: VariableLike,
    padding?: Tensor | null,
  ): SourceAttentionOutput {
    const scores = matmul(query, lift(keys).transpose(1, 2)); // (B, T, H) x (B, H, S) -> (B, T, S)
    return attend(scores, values, padding);
  }
}
