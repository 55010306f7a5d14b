import { concat, Variable } from '@proj/autograd';
import { ShapeError, type Tensor, zeros } from '@proj/tensor';
import type { LanguageModelCache } from '../models/language-model.js';

/**
 * The keys and values one attention layer has seen, for incremental decoding: each step appends the
 * new tokens' keys and values and attends over everything stored. Buffers are allocated once, at
 * `capacity` positions, on the first append (no copy of the past per step).
 *
 * Shapes: keys and values `[B, nKVHead, S, headSize]`, `S ≤ capacity`.
 */
export class AttentionCache {
  private _keys: Tensor | null = null;
  private _values: Tensor | null = null;
  /** Number of positions stored. */
  length = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0))
      throw new RangeError(`AttentionCache: capacity must be a positive integer, got ${capacity}`);
  }

  /**
   * Stores `k`, `v` `[B, H, T, hs]` after the cached positions and returns all keys and values
   * `[B, H, length + T, hs]`. When `k`/`v` require grad the result is differentiable with respect to
   * them (the stored past is constant); otherwise it is a view of the buffers.
   * @throws RangeError when the cache would exceed its capacity; ShapeError when shapes change.
   */
  append(k: Variable, v: Variable): [Variable, Variable] {
    const [B, H, T, hs] = k.shape as [number, number, number, number];
    if (k.ndim !== 4 || v.ndim !== 4 || v.shape[2] !== T || v.shape[0] !== B || v.shape[1] !== H)
      throw new ShapeError(
        `AttentionCache.append: k [${k.shape.join(', ')}] and v [${v.shape.join(', ')}] must be [B, H, T, hs] with equal B, H, T`,
      );
    if (this.length + T > this.capacity)
      throw new RangeError(
        `AttentionCache.append: ${this.length} cached + ${T} new positions exceed the capacity ${this.capacity}; reset() it or crop the context`,
      );
    if (
      !this._keys ||
      !this._values ||
      !sameLayout(this._keys, B, H, hs) ||
      !sameLayout(this._values, B, H, v.shape[3]!)
    ) {
      if (this.length > 0)
        throw new ShapeError(
          `AttentionCache.append: new keys [${k.shape.join(', ')}] do not match the cached [${this._keys?.shape.join(', ')}]`,
        );
      this._keys = zeros([B, H, this.capacity, hs], { dtype: k.dtype });
      this._values = zeros([B, H, this.capacity, v.shape[3]!], { dtype: v.dtype });
    }
    const past = this.length;
    this._keys.narrow(2, past, T).assign(k.data);
    this._values.narrow(2, past, T).assign(v.data);
    this.length += T;
    if (k.requiresGrad || v.requiresGrad) {
      return [
        concat([this._keys.narrow(2, 0, past), k], 2), // (B, H, past + T, hs)
        concat([this._values.narrow(2, 0, past), v], 2),
      ];
    }
    return [
      new Variable(this._keys.narrow(2, 0, this.length)),
      new Variable(this._values.narrow(2, 0, this.length)),
    ];
  }

  /** Everything stored: keys and values `[B, H, length, hs]`, or null when empty. */
  get(): [Variable, Variable] | null {
    if (!this._keys || !this._values || this.length === 0) return null;
    return [
      new Variable(this._keys.narrow(2, 0, this.length)),
      new Variable(this._values.narrow(2, 0, this.length)),
    ];
  }

  /** Forgets every position (keeps the buffers). */
  reset(): void {
    this.length = 0;
  }
}

function sameLayout(buffer: Tensor, B: number, H: number, hs: number): boolean {
  return buffer.shape[0] === B && buffer.shape[1] === H && buffer.shape[3] === hs;
}

/** One {@link AttentionCache} per layer of a transformer, advanced together. */
export class KVCache implements LanguageModelCache {
  readonly layers: AttentionCache[];

  constructor(
    numLayers: number,
    readonly capacity: number,
  ) {
    this.layers = Array.from({ length: numLayers }, () => new AttentionCache(capacity));
  }

  /** Positions consumed so far (the position of the next token). */
  get length(): number {
    return this.layers[0]?.length ?? 0;
  }

  /** Forgets every position of every layer. */
  reset(): void {
    for (const layer of this.layers) layer.reset();
  }
}
