import { dropout, gelu, lift, relu, silu, tanh, type Variable, type VariableLike } from '@proj/autograd';
import type { Generator } from '@proj/tensor';
import { Module } from '../module.js';

/** Anything with a one-argument forward: what {@link Sequential} chains. */
export interface Layer {
  forward(x: VariableLike): Variable;
}

/** Inverted dropout with probability `p`, active only in training mode; driven by a {@link Generator}. */
export class Dropout extends Module {
  constructor(
    readonly p = 0.5,
    private readonly _generator?: Generator,
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
  }

  forward(x: VariableLike): Variable {
    return dropout(x, this.p, { training: this.training, generator: this._generator });
  }
}

/** GELU activation (`approximate: 'tanh'` for GPT-2's form). */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }

  forward(x: VariableLike): Variable {
    return gelu(x, { approximate: this.approximate });
  }
}

/** ReLU activation. */
export class ReLU extends Module {
  forward(x: VariableLike): Variable {
    return relu(x);
  }
}

/** SiLU (swish) activation. */
export class SiLU extends Module {
  forward(x: VariableLike): Variable {
    return silu(x);
  }
}

/** Tanh activation. */
export class Tanh extends Module {
  forward(x: VariableLike): Variable {
    return tanh(x);
  }
}

/** Applies its layers in order; parameters are named `0.weight`, `1.bias`, … as PyTorch's `nn.Sequential`. */
export class Sequential extends Module {
  readonly _layers: (Module & Layer)[];

  constructor(...layers: (Module & Layer)[]) {
    super();
    this._layers = layers;
  }

  override namedChildren(): [string, Module][] {
    return this._layers.map((layer, i) => [String(i), layer]);
  }

  forward(x: VariableLike): Variable {
    let out = lift(x);
    for (const layer of this._layers) out = layer.forward(out);
    return out;
  }
}
