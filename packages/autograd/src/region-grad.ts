import { type Storage, Tensor, zeros } from '@proj/tensor';
import { assignSlice } from '@proj/tensor/internal';

/**
 * The gradient of a view that picks the slab `start … start + length − 1` of axis `dim` from an input
 * of `shape` (narrow, select, the parts of split and chunk): `grad` on the slab, zeros elsewhere.
 * The backward walk sums the slabs reaching one input into a single zeroed buffer, so the parts of a
 * split cost one allocation and a copy each, not a zero tensor and a full-size addition each.
 */
export class RegionGrad {
  /**
   * @param shape the input's shape.
   * @param grad the gradient of the slab: `shape` with axis `dim` of the slab's length.
   */
  constructor(
    readonly shape: readonly number[],
    readonly dim: number,
    readonly start: number,
    readonly grad: Tensor,
  ) {}

  /** Length of the slab along `dim`. */
  get length(): number {
    return this.grad.shape[this.dim]!;
  }

  /** The dense gradient. */
  materialize(): Tensor {
    return PendingGrad.add(undefined, this).materialize();
  }
}

/** The gradients reaching one Variable so far: slabs, plus the sum of any dense gradients. */
export class PendingGrad {
  private readonly parts: RegionGrad[] = [];
  private dense: Tensor | null = null;

  /** `previous` (nothing, a dense gradient or pending slabs) plus the slab `part`. */
  static add(previous: Tensor | PendingGrad | undefined, part: RegionGrad): PendingGrad {
    const pending = previous instanceof PendingGrad ? previous : new PendingGrad();
    if (previous instanceof Tensor) pending.dense = previous;
    pending.parts.push(part);
    return pending;
  }

  /** Adds a dense gradient. */
  addDense(g: Tensor): void {
    this.dense = this.dense ? this.dense.add(g) : g;
  }

  /** The gradients gathered here (the dense sum, then the slabs). */
  tensors(): Tensor[] {
    return [...(this.dense ? [this.dense] : []), ...this.parts.map((part) => part.grad)];
  }

  /** Whether any gradient gathered here lives in `storage`. */
  references(storage: Storage): boolean {
    return this.dense?.buffer === storage || this.parts.some((part) => part.grad.buffer === storage);
  }

  /** The summed dense gradient. */
  materialize(): Tensor {
    const first = this.parts[0]!;
    const whole = this.parts.length === 1 && first.start === 0 && first.length === first.shape[first.dim];
    const slabs = whole ? first.grad : this.sumSlabs(first);
    return this.dense ? this.dense.add(slabs) : slabs;
  }

  private sumSlabs(first: RegionGrad): Tensor {
    const out = zeros(first.shape, { dtype: first.grad.dtype });
    const disjoint = this.disjoint();
    for (const part of this.parts) {
      if (disjoint && part.grad.dtype === out.dtype) assignSlice(out, part.dim, part.start, part.grad);
      else {
        const view = out.narrow(part.dim, part.start, part.length);
        view.assign(view.add(part.grad));
      }
    }
    return out;
  }

  /** True when all slabs lie along one axis and no two overlap. */
  private disjoint(): boolean {
    const dim = this.parts[0]!.dim;
    if (this.parts.some((p) => p.dim !== dim)) return false;
    const sorted = [...this.parts].sort((a, b) => a.start - b.start);
    return sorted.every((p, i) => i === 0 || p.start >= sorted[i - 1]!.start + sorted[i - 1]!.length);
  }
}
