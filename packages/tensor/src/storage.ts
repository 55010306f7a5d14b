import type { StridedView } from './backend/backend.js';
import type { Storage } from './backend/memory.js';
import { backendOf, getBackend } from './backend/registry.js';
import { allocStorage, type DType } from './dtype.js';
import { shapeSize } from './shape.js';
import type { Tensor } from './tensor.js';

/** The strided view of `t` broadcast to `shape` (size-1 and missing leading axes get stride 0). */
export function broadcastView(t: Tensor, shape: readonly number[]): StridedView {
  const lead = shape.length - t.ndim;
  const strides = shape.map((d, axis) => {
    const own = axis - lead;
    if (own < 0) return 0;
    return t.shape[own] === 1 && d !== 1 ? 0 : t.strides[own]!;
  });
  return { data: t.storage, offset: t.offset, strides };
}

/** A contiguous copy of `t`'s elements in `dtype` (the storage itself when no copy is needed). */
export function contiguousData(t: Tensor, dtype: DType = t.dtype) {
  if (dtype === t.dtype && t.isContiguous() && t.offset === 0 && t.storage.length === t.size)
    return t.storage;
  const out = allocStorage(dtype, shapeSize(t.shape));
  if (dtype === t.dtype && t.isContiguous()) {
    out.set(t.storage.subarray(t.offset, t.offset + t.size) as never);
    return out;
  }
  getBackend().copy({ data: t.storage, offset: t.offset, strides: t.strides }, out, t.shape);
  return out;
}

/**
 * `t`'s elements as contiguous storage of its backend's memory, starting at 0 and exactly `t.size`
 * long: the storage itself when it already is, else a copy made by that backend's `copy` kernel.
 */
export function contiguousBuffer(t: Tensor): Storage {
  const buffer = t.buffer;
  if (t.isContiguous() && t.offset === 0 && buffer.length === t.size) return buffer;
  const backend = backendOf(t);
  const out = backend.alloc(t.dtype, t.size);
  backend.copy({ data: buffer, offset: t.offset, strides: t.strides }, out, t.shape);
  return out;
}
