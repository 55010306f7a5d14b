import { backendFor } from '../backend/registry.js';
import { promoteTypes } from '../dtype.js';
import { fmtShape, ShapeError } from '../errors.js';
import { checkShape, contiguousStrides, normalizeDim, type Shape, shapeSize } from '../shape.js';
import { contiguousStorage } from '../storage.js';
import { Tensor } from '../tensor.js';

/**
 * Strides that let `shape` view storage laid out as (`oldShape`, `oldStrides`) without copying,
 * or `null` when the layout does not allow it (NumPy's no-copy reshape rule).
 */
function viewStrides(oldShape: Shape, oldStrides: readonly number[], shape: Shape): number[] | null {
  const dims: number[] = [];
  const strides: number[] = [];
  oldShape.forEach((d, i) => {
    if (d !== 1) {
      dims.push(d);
      strides.push(oldStrides[i]!);
    }
  });
  const out = new Array<number>(shape.length).fill(1);
  let oi = 0;
  let ni = 0;
  while (ni < shape.length && oi < dims.length) {
    let np = shape[ni]!;
    let op = dims[oi]!;
    let nj = ni + 1;
    let oj = oi + 1;
    while (np !== op) {
      if (np < op) np *= shape[nj++]!;
      else op *= dims[oj++]!;
    }
    for (let k = oi; k < oj - 1; k++) if (strides[k] !== dims[k + 1]! * strides[k + 1]!) return null;
    out[nj - 1] = strides[oj - 1]!;
    for (let k = nj - 1; k > ni; k--) out[k - 1] = out[k]! * shape[k]!;
    ni = nj;
    oi = oj;
  }
  return out;
}

/** Resolves `dim` of `x` for ops that index into an axis, which a 0-d tensor does not have. */
export function axisOf(op: string, x: Tensor, dim: number): number {
  if (x.ndim === 0) throw new ShapeError(`${op}: expected a tensor with at least 1 dim, got a 0-d tensor`);
  return normalizeDim(op, dim, x.ndim);
}

/** Resolves one `-1` entry of a requested shape against `size` elements. */
function resolveShape(op: string, x: Tensor, shape: Shape): number[] {
  const unknown = shape.indexOf(-1);
  if (shape.filter((d) => d === -1).length > 1)
    throw new ShapeError(`${op}: only one dimension can be -1, got ${fmtShape(shape)}`);
  const resolved = [...shape];
  if (unknown >= 0) {
    const known = shape.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(
        `${op}: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`,
      );
    }
    resolved[unknown] = x.size / known;
  }
  checkShape(op, resolved);
  if (shapeSize(resolved) !== x.size) {
    throw new ShapeError(
      `${op}: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`,
    );
  }
  return resolved;
}

/** A tensor with `shape` (one entry may be -1) sharing storage with `x`; copies only when the layout requires. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const resolved = resolveShape('reshape', x, shape);
  const strides = x.size === 0 ? contiguousStrides(resolved) : viewStrides(x.shape, x.strides, resolved);
  if (strides) return new Tensor(x.buffer, resolved, strides, x.offset);
  return new Tensor(contiguousStorage('reshape', x, backendFor('reshape', x)), resolved);
}

/** Like {@link reshape} but never copies. @throws ShapeError when the layout needs a copy. */
export function view(x: Tensor, shape: Shape): Tensor {
  const resolved = resolveShape('view', x, shape);
  const strides = x.size === 0 ? contiguousStrides(resolved) : viewStrides(x.shape, x.strides, resolved);
  if (!strides) {
    throw new ShapeError(
      `view: ${fmtShape(x.shape)} with strides ${fmtShape(x.strides)} cannot be viewed as ${fmtShape(shape)}; use reshape()`,
    );
  }
  return new Tensor(x.buffer, resolved, strides, x.offset);
}

/** Flattens axes `startDim..endDim` into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim);
  const e = normalizeDim('flatten', endDim, x.ndim);
  if (s > e) throw new ShapeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  return reshape(x, [...x.shape.slice(0, s), shapeSize(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Reorders axes: axis `i` of the result is axis `dims[i]` of `x`. Always a view. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim)
    throw new ShapeError(
      `permute: got ${dims.length} dims [${dims}] for a ${x.ndim}-d tensor ${fmtShape(x.shape)}`,
    );
  const axes = dims.map((d) => normalizeDim('permute', d, x.ndim));
  if (new Set(axes).size !== axes.length) throw new ShapeError(`permute: dims [${dims}] repeat an axis`);
  return new Tensor(
    x.buffer,
    axes.map((a) => x.shape[a]!),
    axes.map((a) => x.strides[a]!),
    x.offset,
  );
}

/** Swaps two axes (default the last two). Always a view. */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) return x;
  const a = normalizeDim('transpose', dim0, x.ndim);
  const b = normalizeDim('transpose', dim1, x.ndim);
  if (x.ndim === 0) return x;
  const axes = x.shape.map((_, i) => i);
  [axes[a], axes[b]] = [b, a];
  return permute(x, axes);
}

/** Broadcasts size-1 axes (and new leading axes) to `shape` without copying; -1 keeps a size. */
export function expand(x: Tensor, shape: Shape): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0)
    throw new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to fewer dims ${fmtShape(shape)}`);
  const outShape: number[] = [];
  const strides: number[] = [];
  shape.forEach((d, i) => {
    const own = i - lead;
    const size = own >= 0 ? x.shape[own]! : 1;
    const target = d === -1 ? size : d;
    if (d === -1 && own < 0)
      throw new ShapeError(`expand: -1 is not allowed for new leading axis ${i} in ${fmtShape(shape)}`);
    if (size !== target && size !== 1) {
      throw new ShapeError(
        `expand: axis ${i} of size ${size} cannot expand to ${target} (${fmtShape(x.shape)} → ${fmtShape(shape)})`,
      );
    }
    outShape.push(target);
    strides.push(own >= 0 && size === target ? x.strides[own]! : 0);
  });
  checkShape('expand', outShape);
  return new Tensor(x.buffer, outShape, strides, x.offset);
}

/** The view `x[..., start : start+length, ...]` along `dim`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = axisOf('narrow', x, dim);
  const size = x.shape[d]!;
  if (start < 0) start += size;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(length) ||
    start < 0 ||
    length < 0 ||
    start + length > size
  ) {
    throw new ShapeError(
      `narrow: range [${start}, ${start + length}) is outside axis ${dim} of size ${size} in ${fmtShape(x.shape)}`,
    );
  }
  const shape = [...x.shape];
  shape[d] = length;
  return new Tensor(x.buffer, shape, x.strides, x.offset + start * x.strides[d]!);
}

/**
 * Python-style slice `x[..., start:end:step, ...]` along `dim` as a view; negative and out-of-range
 * bounds are clipped as Python does. `step` must be positive.
 */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = axisOf('slice', x, dim);
  const size = x.shape[d]!;
  if (!Number.isInteger(step) || step <= 0)
    throw new ShapeError(`slice: step must be a positive integer, got ${step}`);
  const clip = (i: number): number => Math.min(size, Math.max(0, i < 0 ? i + size : i));
  const s = clip(start);
  const e = Math.max(s, clip(end ?? size));
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape[d] = Math.ceil((e - s) / step);
  strides[d] = x.strides[d]! * step;
  return new Tensor(x.buffer, shape, strides, x.offset + s * x.strides[d]!);
}

/** The view `x[..., index, ...]` with axis `dim` removed (negative indices count from the end). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = axisOf('select', x, dim);
  const size = x.shape[d]!;
  const i = index < 0 ? index + size : index;
  if (!Number.isInteger(i) || i < 0 || i >= size)
    throw new ShapeError(`select: index ${index} is out of range for axis ${dim} of size ${size}`);
  return new Tensor(
    x.buffer,
    x.shape.filter((_, k) => k !== d),
    x.strides.filter((_, k) => k !== d),
    x.offset + i * x.strides[d]!,
  );
}

/** Removes size-1 axes (all of them, or only `dim` when given and of size 1). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims =
    dim === undefined
      ? x.shape.map((_, i) => i)
      : (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim('squeeze', d, x.ndim));
  const keep = x.shape.map((d, i) => !(d === 1 && dims.includes(i)));
  return new Tensor(
    x.buffer,
    x.shape.filter((_, i) => keep[i]),
    x.strides.filter((_, i) => keep[i]),
    x.offset,
  );
}

/** Inserts a size-1 axis at `dim` (which may be `ndim` or negative). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d]! * x.shape[d]! : 1);
  return new Tensor(x.buffer, shape, strides, x.offset);
}

/**
 * Joins tensors along an existing axis `dim`; all other axes must match. The result lives where its
 * operands do (a device's memory when any of them is there), as every op's.
 */
export function concat(tensors: readonly Tensor[], dim = 0): Tensor {
  const first = tensors[0];
  if (!first) throw new ShapeError('concat: needs at least one tensor');
  const d = axisOf('concat', first, dim);
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new ShapeError(
        `concat: shapes ${tensors.map((u) => fmtShape(u.shape)).join(', ')} differ outside dim ${dim}`,
      );
    }
  }
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const shape = [...first.shape];
  shape[d] = tensors.reduce((s, t) => s + t.shape[d]!, 0);
  const out = new Tensor(backendFor('concat', ...tensors).alloc(dtype, shapeSize(shape)), shape);
  let start = 0;
  for (const t of tensors) {
    narrow(out, d, start, t.shape[d]!).assign(t);
    start += t.shape[d]!;
  }
  return out;
}

/** Joins equally shaped tensors along a new axis `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const first = tensors[0];
  if (!first) throw new ShapeError('stack: needs at least one tensor');
  const d = normalizeDim('stack', dim, first.ndim + 1);
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => s !== first.shape[i])) {
      throw new ShapeError(
        `stack: shapes ${tensors.map((u) => fmtShape(u.shape)).join(', ')} are not all equal`,
      );
    }
  }
  return concat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/** Splits along `dim` into views of `size` each (the last may be smaller) or of the listed sizes. */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  const d = axisOf('split', x, dim);
  const total = x.shape[d]!;
  let sizes: number[];
  if (typeof size === 'number') {
    if (!Number.isInteger(size) || size <= 0)
      throw new ShapeError(`split: size must be a positive integer, got ${size}`);
    sizes = total === 0 ? [0] : []; // an empty axis splits into one empty piece, as PyTorch
    for (let s = 0; s < total; s += size) sizes.push(Math.min(size, total - s));
  } else {
    sizes = [...size];
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((a, b) => a + b, 0) !== total) {
      throw new ShapeError(
        `split: sizes [${sizes}] must be non-negative integers adding up to axis ${dim} of size ${total}`,
      );
    }
  }
  let start = 0;
  return sizes.map((s) => {
    const part = narrow(x, d, start, s);
    start += s;
    return part;
  });
}

/** Splits along `dim` into `chunks` views of equal size (the last may be smaller), as PyTorch. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = axisOf('chunk', x, dim);
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new ShapeError(`chunk: chunks must be a positive integer, got ${chunks}`);
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}

/**
 * Swaps axis `dim` with the last axis, returning the view and a function that swaps a result of the
 * same shape back: the way per-row kernels (softmax, cumsum, topk) handle any axis.
 */
export function movedToLast(x: Tensor, dim: number): [Tensor, (result: Tensor) => Tensor] {
  if (x.ndim === 0 || dim === x.ndim - 1) return [x, (r) => r];
  return [transpose(x, dim, -1), (r) => transpose(r, dim, -1)];
}
