import {
  concat,
  dropout,
  lift,
  linear,
  reshape,
  select,
  stack,
  type Variable,
  type VariableLike,
} from '@proj/autograd';
import { type Generator, ShapeError, zeros } from '@proj/tensor';
import type { LayerOptions } from '../layers/linear.js';
import { Module, type Parameter } from '../module.js';
import { type CellKind, GATE_COUNT } from './gate-kernels.js';
import { resolveLengths, type SequenceLengthOptions } from './lengths.js';
import { recurrence } from './recurrence.js';
import { recurrentParameters } from './recurrent-init.js';

/** Options shared by {@link RNN}, {@link LSTM} and {@link GRU} (PyTorch's arguments, camelCased). */
export interface RNNOptions extends LayerOptions {
  /** Stacked layers (default 1); layer `l > 0` reads layer `l − 1`'s output. */
  numLayers?: number;
  /** Learn `bias_ih`/`bias_hh` (default true). */
  bias?: boolean;
  /** Input and output are `[B, T, ·]` instead of `[T, B, ·]` (default false); states stay `[L·D, B, H]`. */
  batchFirst?: boolean;
  /** Dropout on each layer's output except the last, in training mode (default 0). */
  dropout?: number;
  /** Add a direction that reads each sequence backwards; outputs concatenate both (default false). */
  bidirectional?: boolean;
  /** Source of dropout masks (default: the generator set by `manualSeed`). */
  dropoutGenerator?: Generator;
}

/** Options of a recurrent layer's forward: which steps are real in a padded batch. */
export type RNNForwardOptions = SequenceLengthOptions;

/** The weights of one layer and direction, PyTorch's `weight_ih_l{l}{_reverse}` and friends. */
export interface RNNWeights {
  weightIH: Parameter;
  weightHH: Parameter;
  biasIH: Parameter | null;
  biasHH: Parameter | null;
}

/** Result of the shared recurrent forward. */
export interface RNNRun {
  output: Variable;
  h: Variable;
  c: Variable | null;
}

/**
 * The machinery of {@link RNN}, {@link LSTM} and {@link GRU}: PyTorch's parameter names and layout,
 * stacking, directions, inter-layer dropout and variable-length batches. Each layer-direction runs
 * as one fused {@link recurrence} after a single input-projection matmul over all steps.
 */
export abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  private readonly _dropoutGenerator: Generator | undefined;

  protected constructor(
    private readonly _kind: CellKind,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RNNOptions = {},
  ) {
    super();
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    this.bidirectional = options.bidirectional ?? false;
    this._dropoutGenerator = options.dropoutGenerator;
    const name = this.layerName;
    if (!Number.isInteger(this.numLayers) || this.numLayers < 1)
      throw new RangeError(`${name}: numLayers must be a positive integer, got ${this.numLayers}`);
    if (!(this.dropout >= 0 && this.dropout < 1))
      throw new RangeError(`${name}: dropout must be in [0, 1), got ${this.dropout}`);
    const make = recurrentParameters(hiddenSize, options);
    const G = GATE_COUNT[_kind] * hiddenSize;
    const fields = this as unknown as Record<string, Parameter>;
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? inputSize : hiddenSize * this.numDirections;
      for (let d = 0; d < this.numDirections; d++) {
        const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
        fields[`weight_ih${suffix}`] = make([G, inSize]);
        fields[`weight_hh${suffix}`] = make([G, hiddenSize]);
        if (this.bias) {
          fields[`bias_ih${suffix}`] = make([G]);
          fields[`bias_hh${suffix}`] = make([G]);
        }
      }
    }
  }

  /** `RNN`, `LSTM` or `GRU`, for messages. */
  get layerName(): string {
    return this._kind === 'lstm' ? 'LSTM' : this._kind === 'gru' ? 'GRU' : 'RNN';
  }

  /** 2 when bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The parameters of layer `layer`, direction `direction` (1 = reverse), read by name. */
  weights(layer: number, direction = 0): RNNWeights {
    const fields = this as unknown as Record<string, Parameter | undefined>;
    const suffix = `_l${layer}${direction === 1 ? '_reverse' : ''}`;
    const weightIH = fields[`weight_ih${suffix}`];
    const weightHH = fields[`weight_hh${suffix}`];
    if (!weightIH || !weightHH)
      throw new RangeError(`${this.layerName}: no layer ${layer}, direction ${direction}`);
    return {
      weightIH,
      weightHH,
      biasIH: fields[`bias_ih${suffix}`] ?? null,
      biasHH: fields[`bias_hh${suffix}`] ?? null,
    };
  }

  /** Runs every layer and direction; `h0`/`c0` are `[L·D, B, H]` or null for zeros. */
  protected run(
    input: VariableLike,
    h0: VariableLike | null,
    c0: VariableLike | null,
    options: RNNForwardOptions,
  ): RNNRun {
    const name = this.layerName;
    const x = lift(input);
    const layout = this.batchFirst ? 'B, T' : 'T, B';
    if (x.ndim !== 3 || x.shape[2] !== this.inputSize)
      throw new ShapeError(
        `${name}: expected input [${layout}, ${this.inputSize}] (batchFirst: ${this.batchFirst}), got [${x.shape.join(', ')}]`,
      );
    const [T, B] = this.batchFirst ? [x.shape[1]!, x.shape[0]!] : [x.shape[0]!, x.shape[1]!];
    const H = this.hiddenSize;
    const D = this.numDirections;
    const lengths = resolveLengths(name, options, B, T);
    const states = (state: VariableLike | null, label: string): Variable => {
      if (state === null) return lift(zeros([this.numLayers * D, B, H], { dtype: x.dtype }));
      const v = lift(state, x);
      if (v.ndim !== 3 || v.shape[0] !== this.numLayers * D || v.shape[1] !== B || v.shape[2] !== H)
        throw new ShapeError(
          `${name}: ${label} must be [${this.numLayers * D}, ${B}, ${H}] (numLayers·numDirections, B, H), got [${v.shape.join(', ')}]`,
        );
      return v;
    };
    const hStart = states(h0, 'h0');
    const cStart = this._kind === 'lstm' ? states(c0, 'c0') : null;
    const hOut: Variable[] = [];
    const cOut: Variable[] = [];
    let layerInput = x;
    for (let l = 0; l < this.numLayers; l++) {
      const flat = reshape(layerInput, [T * B, layerInput.shape[2]!]);
      const outputs: Variable[] = [];
      for (let d = 0; d < D; d++) {
        const w = this.weights(l, d);
        const index = l * D + d;
        const result = recurrence(
          linear(flat, w.weightIH, w.biasIH),
          select(hStart, 0, index),
          cStart && select(cStart, 0, index),
          w.weightHH,
          w.biasHH,
          { kind: this._kind, steps: T, batch: B, batchFirst: this.batchFirst, reverse: d === 1, lengths },
        );
        outputs.push(result.output);
        hOut.push(result.h);
        if (result.c) cOut.push(result.c);
      }
      layerInput = D === 1 ? outputs[0]! : concat(outputs, -1);
      if (this.dropout > 0 && l < this.numLayers - 1)
        layerInput = dropout(layerInput, this.dropout, {
          training: this.training,
          generator: this._dropoutGenerator,
        });
    }
    return { output: layerInput, h: stack(hOut, 0), c: cOut.length ? stack(cOut, 0) : null };
  }
}
