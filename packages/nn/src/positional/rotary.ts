import { concat, lift, mul, narrow, neg, type Variable, type VariableLike } from '@proj/autograd';
import { type DType, type Tensor, tensor } from '@proj/tensor';

/** Options of {@link RotaryEmbedding}. */
export interface RotaryOptions {
  /** Frequency base θ (default 10000, as RoFormer and LLaMA). */
  base?: number;
}

/**
 * Rotary position embedding (RoFormer, Su et al. 2021) in the "rotate half" layout of GPT-NeoX and
 * LLaMA: feature `i` and feature `i + dim/2` of each head form a pair rotated by the angle
 * `p · base^(−2i/dim)` at position `p`. Applied to queries and keys, it makes `q·k` depend only on
 * the distance between their positions. It has no parameters, so it is a helper rather than a Module.
 *
 * Shapes: `apply(x, offset)` with `x` `[..., T, dim]` → same shape (positions `offset … offset+T−1`).
 */
export class RotaryEmbedding {
  readonly invFreq: Float64Array;
  private cache = new Map<string, [Tensor, Tensor]>();

  constructor(
    readonly dim: number,
    options: RotaryOptions = {},
  ) {
    if (!(Number.isInteger(dim) && dim > 0 && dim % 2 === 0))
      throw new RangeError(`RotaryEmbedding: dim must be a positive even integer, got ${dim}`);
    const base = options.base ?? 10000;
    this.invFreq = Float64Array.from({ length: dim / 2 }, (_, i) => base ** ((-2 * i) / dim));
  }

  /** `cos` and `sin` tables `[T, dim]` (each frequency repeated for both halves) for positions `offset…`. */
  tables(length: number, offset: number, dtype: DType): [Tensor, Tensor] {
    const key = `${length},${offset},${dtype}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const half = this.dim / 2;
    const cosValues = new Float64Array(length * this.dim);
    const sinValues = new Float64Array(length * this.dim);
    for (let t = 0; t < length; t++) {
      for (let i = 0; i < half; i++) {
        const angle = (offset + t) * this.invFreq[i]!;
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cosValues[t * this.dim + i] = cosValues[t * this.dim + i + half] = c;
        sinValues[t * this.dim + i] = sinValues[t * this.dim + i + half] = s;
      }
    }
    const shape = [length, this.dim];
    const cos = tensor(cosValues, { shape, dtype });
    const sin = tensor(sinValues, { shape, dtype });
    if (this.cache.size > 64) this.cache.clear();
    this.cache.set(key, [cos, sin]);
    return [cos, sin];
  }

  /**
   * Rotates `x` `[..., T, dim]`: `x·cos + rotateHalf(x)·sin` with `rotateHalf([x1, x2]) = [−x2, x1]`.
   * @throws RangeError when the last axis is not `dim`.
   */
  apply(x: VariableLike, offset = 0): Variable {
    const vx = lift(x);
    if (vx.ndim < 2 || vx.shape[vx.ndim - 1] !== this.dim)
      throw new RangeError(`RotaryEmbedding: expected [..., T, ${this.dim}], got [${vx.shape.join(', ')}]`);
    const T = vx.shape[vx.ndim - 2]!;
    const [cos, sin] = this.tables(T, offset, vx.dtype);
    const half = this.dim / 2;
    const x1 = narrow(vx, -1, 0, half); // (..., T, dim/2)
    const x2 = narrow(vx, -1, half, half); // (..., T, dim/2)
    const rotated = concat([neg(x2), x1], -1); // (..., T, dim)
    return mul(vx, cos).add(mul(rotated, sin));
  }
}
