import { embedding, type Variable } from '@proj/autograd';
import { type Tensor, zeros } from '@proj/tensor';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';
import type { LayerOptions } from './linear.js';

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, 1) as PyTorch.
 *
 * Shapes: int32 `ids` `[...]` → `[..., embeddingDim]`; `weight` `[numEmbeddings, embeddingDim]`.
 */
export class Embedding extends Module {
  weight: Parameter;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: LayerOptions = {},
  ) {
    super();
    const p = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? 'float32' }));
    this.weight = init.normal(p, { generator: options.generator });
  }

  forward(ids: Tensor): Variable {
    return embedding(this.weight, ids);
  }
}
