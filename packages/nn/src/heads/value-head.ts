import type { Variable } from '@proj/autograd';
import { type LayerOptions, Linear } from '../layers/linear.js';
import { Module } from '../module.js';

/**
 * A scalar per position, read from a model's hidden states: TRL's `ValueHead` (`summary`, a Linear
 * from the hidden width to 1, initialised as PyTorch's `nn.Linear`, TRL's default), the critic of PPO.
 *
 * Shapes: `hidden` `[B, T, C]` → `[B, T]`.
 * @example const values = new ValueHead(128).forward(model.forward(ids).hidden!); // [B, T]
 */
export class ValueHead extends Module {
  summary: Linear;

  constructor(hiddenSize: number, options: LayerOptions = {}) {
    super();
    this.summary = new Linear(hiddenSize, 1, options);
  }

  forward(hidden: Variable): Variable {
    return this.summary.forward(hidden).squeeze(-1);
  }
}
