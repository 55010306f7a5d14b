import { narrow, type Variable } from '@proj/autograd';
import { zeros } from '@proj/tensor';
import * as init from '../init.js';
import type { LayerOptions } from '../layers/linear.js';
import { Module, Parameter } from '../module.js';

/**
 * A trained table of absolute position vectors (GPT's `wpe`), initialised N(0, 1) as `nn.Embedding`.
 *
 * Shapes: `forward(length, offset)` → `[length, dim]`; `weight` `[maxLength, dim]`.
 */
export class LearnedPositionalEmbedding extends Module {
  weight: Parameter;

  constructor(maxLength: number, dim: number, options: LayerOptions = {}) {
    super();
    const p = new Parameter(zeros([maxLength, dim], { dtype: options.dtype ?? 'float32' }));
    this.weight = init.normal(p, { generator: options.generator });
  }

  /** Positions in the table (`weight.shape[0]`). */
  get maxLength(): number {
    return this.weight.shape[0]!;
  }

  /** Width of each position vector (`weight.shape[1]`). */
  get dim(): number {
    return this.weight.shape[1]!;
  }

  /**
   * The vectors of positions `offset … offset+length−1`.
   * @throws RangeError when the positions run past `maxLength`.
   */
  forward(length: number, offset = 0): Variable {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.maxLength))
      throw new RangeError(
        `LearnedPositionalEmbedding: positions ${offset}..${offset + length - 1} exceed maxLength ${this.maxLength}`,
      );
    return narrow(this.weight, 0, offset, length); // a view of rows offset…offset+length−1
  }
}
