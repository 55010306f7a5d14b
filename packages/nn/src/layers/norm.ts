import { layerNorm, rmsNorm, type Variable, type VariableLike } from '@proj/autograd';
import { ones, zeros } from '@proj/tensor';
import { Module, Parameter } from '../module.js';

/** Options of {@link LayerNorm} and {@link RMSNorm}. */
export interface NormOptions {
  /** Added to the variance for stability (LayerNorm default 1e-5, RMSNorm 1e-6). */
  eps?: number;
  /** Learn a per-feature scale (and, for LayerNorm, shift); default true. */
  elementwiseAffine?: boolean;
  /** LayerNorm only: learn the shift (default true; nanoGPT's `bias=False` turns it off). */
  bias?: boolean;
  dtype?: 'float32' | 'float64';
}

/**
 * Layer normalisation over the last axis: `(x − mean) / sqrt(var + eps) · weight + bias`.
 *
 * Shapes: `x` `[..., normalizedShape]` → same; `weight`, `bias` `[normalizedShape]`.
 */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;

  constructor(
    readonly normalizedShape: number,
    options: NormOptions = {},
  ) {
    super();
    const dtype = options.dtype ?? 'float32';
    const affine = options.elementwiseAffine ?? true;
    this.eps = options.eps ?? 1e-5;
    this.weight = affine ? new Parameter(ones([normalizedShape], { dtype })) : null;
    this.bias = affine && options.bias !== false ? new Parameter(zeros([normalizedShape], { dtype })) : null;
  }

  forward(x: VariableLike): Variable {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

/**
 * Root-mean-square normalisation over the last axis: `x / sqrt(mean(x²) + eps) · weight`.
 *
 * Shapes: `x` `[..., normalizedShape]` → same; `weight` `[normalizedShape]`.
 */
export class RMSNorm extends Module {
  weight: Parameter | null;
  readonly eps: number;

  constructor(
    readonly normalizedShape: number,
    options: NormOptions = {},
  ) {
    super();
    this.eps = options.eps ?? 1e-6;
    this.weight =
      (options.elementwiseAffine ?? true)
        ? new Parameter(ones([normalizedShape], { dtype: options.dtype ?? 'float32' }))
        : null;
  }

  forward(x: VariableLike): Variable {
    return rmsNorm(x, this.weight, this.eps);
  }
}
