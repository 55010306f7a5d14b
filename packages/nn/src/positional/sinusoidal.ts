import { Variable } from '@proj/autograd';
import { type Tensor, tensor } from '@proj/tensor';
import { Module } from '../module.js';

/** Options of {@link sinusoidalEncoding} and {@link SinusoidalPositionalEncoding}. */
export interface SinusoidalOptions {
  /** Position of the first row (default 0), e.g. the KV-cache length while decoding. */
  offset?: number;
  /** Wavelength base (default 10000, as "Attention Is All You Need"). */
  base?: number;
  dtype?: 'float32' | 'float64';
}

/**
 * The fixed sinusoidal table of Vaswani et al.: `PE[p, 2i] = sin(p / base^(2i/dim))`,
 * `PE[p, 2i+1] = cos(p / base^(2i/dim))` for positions `offset … offset+length−1`.
 *
 * Shapes: → `[length, dim]`.
 * @example x.add(sinusoidalEncoding(T, C)) // x: [B, T, C]
 * @throws RangeError for a negative length or a non-positive dim.
 */
export function sinusoidalEncoding(length: number, dim: number, options: SinusoidalOptions = {}): Tensor {
  const { offset = 0, base = 10000, dtype = 'float32' } = options;
  if (!(Number.isInteger(length) && length >= 0) || !(Number.isInteger(dim) && dim > 0))
    throw new RangeError(
      `sinusoidalEncoding: need an integer length >= 0 and dim > 0, got ${length}, ${dim}`,
    );
  const pe = new Float64Array(length * dim);
  for (let t = 0; t < length; t++) {
    const p = offset + t;
    for (let i = 0; i < dim; i += 2) {
      const angle = p / base ** (i / dim);
      pe[t * dim + i] = Math.sin(angle);
      if (i + 1 < dim) pe[t * dim + i + 1] = Math.cos(angle);
    }
  }
  return tensor(pe, { shape: [length, dim], dtype });
}

/**
 * Sinusoidal positional encoding as a module without parameters (so it can sit where a
 * {@link LearnedPositionalEmbedding} would).
 *
 * Shapes: `forward(length, offset)` → `[length, dim]`, to be added to `[B, length, dim]` activations.
 */
export class SinusoidalPositionalEncoding extends Module {
  constructor(
    readonly dim: number,
    private readonly _options: Omit<SinusoidalOptions, 'offset'> = {},
  ) {
    super();
  }

  /** The encodings of positions `offset … offset+length−1` (a constant Variable). */
  forward(length: number, offset = 0): Variable {
    return new Variable(sinusoidalEncoding(length, this.dim, { ...this._options, offset }));
  }
}
