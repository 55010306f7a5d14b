import { fmtShape, ShapeError } from './errors.js';

/** A tensor shape: one non-negative integer per axis. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function shapeSize(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Row-major (C-order) strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i]!;
  }
  return strides;
}

/** Throws unless every entry is a non-negative integer. */
export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: shape ${fmtShape(shape)} must contain non-negative integers`);
    }
  }
}

/**
 * Resolves a possibly negative `dim` against `ndim` axes, throwing on out-of-range. As in PyTorch, a
 * 0-d tensor accepts `dim` 0 and -1 (both resolve to 0).
 */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new ShapeError(`${op}: dim ${dim} is out of range for a tensor with ${ndim} dims`);
  }
  return dim < 0 ? dim + n : dim;
}

/**
 * Resolves `dim` (one axis, several, or all when undefined) to sorted unique axes.
 * @throws ShapeError on out-of-range or repeated axes.
 */
export function normalizeDims(
  op: string,
  dim: number | readonly number[] | undefined,
  ndim: number,
): number[] {
  if (dim === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const dims = (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim(op, d, ndim));
  if (ndim === 0) return []; // reducing a 0-d tensor over its dim 0 leaves it as it is
  const sorted = [...new Set(dims)].sort((a, b) => a - b);
  if (sorted.length !== dims.length) throw new ShapeError(`${op}: dims [${dim}] repeat an axis`);
  return sorted;
}

/** The NumPy broadcast of several shapes. @throws ShapeError when they are incompatible. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const ndim = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const axis = ndim - s.length + i;
      const d = s[i]!;
      if (d === out[axis] || d === 1) continue;
      if (out[axis] === 1) out[axis] = d;
      else {
        throw new ShapeError(
          `${op}: shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast (axis ${axis - ndim}: ${out[axis]} vs ${d})`,
        );
      }
    }
  }
  return out;
}

/** True when two shapes are equal. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
