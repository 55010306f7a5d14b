import { lift, type Variable, type VariableLike } from '@proj/autograd';
import { Module } from '../module.js';
import { Dropout, GELU } from './activation.js';
import { type LayerOptions, Linear } from './linear.js';

/** Options of {@link MLP}. */
export interface MLPOptions extends LayerOptions {
  /** Hidden width (default `4·nEmbd`). */
  hidden?: number;
  /** Biases in both projections (default true). */
  bias?: boolean;
  /** Dropout on the output, in training mode (default 0). */
  dropout?: number;
  /** GELU form: exact `'none'` (nanoGPT, default) or `'tanh'` (GPT-2's checkpoints). */
  approximate?: 'none' | 'tanh';
}

/**
 * The transformer feed-forward block of nanoGPT: `c_fc` → GELU → `c_proj` → dropout.
 *
 * Shapes: `x` `[..., nEmbd]` → `[..., nEmbd]`; `c_fc.weight` `[hidden, nEmbd]`, `c_proj.weight` `[nEmbd, hidden]`.
 * @example new MLP(128).forward(x) // x: [B, T, 128]
 */
export class MLP extends Module {
  c_fc: Linear;
  gelu: GELU;
  c_proj: Linear;
  dropout: Dropout;

  constructor(
    readonly nEmbd: number,
    options: MLPOptions = {},
  ) {
    super();
    const hidden = options.hidden ?? 4 * nEmbd;
    const layer = { bias: options.bias ?? true, dtype: options.dtype, generator: options.generator };
    this.c_fc = new Linear(nEmbd, hidden, layer);
    this.gelu = new GELU(options.approximate ?? 'none');
    this.c_proj = new Linear(hidden, nEmbd, layer);
    this.dropout = new Dropout(options.dropout ?? 0, options.generator);
  }

  forward(x: VariableLike): Variable {
    let h = this.c_fc.forward(lift(x));
    h = this.gelu.forward(h);
    h = this.c_proj.forward(h);
    return this.dropout.forward(h);
  }
}
