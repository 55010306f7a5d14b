import type { StridedView } from './backend/backend.js';
import { isDeviceStorage, type Storage } from './backend/memory.js';
import {
  type AnyBackend,
  type AnyMemory,
  backendOf,
  getBackend,
  operandStorage,
} from './backend/registry.js';
import { allocStorage, type DType, type TypedArray } from './dtype.js';
import { contiguousStrides, shapeSize } from './shape.js';
import type { Tensor } from './tensor.js';

/** The strides that read `t` broadcast to `shape` (size-1 and missing leading axes get stride 0). */
export function broadcastStrides(t: Tensor, shape: readonly number[]): number[] {
  const lead = shape.length - t.ndim;
  return shape.map((d, axis) => {
    const own = axis - lead;
    if (own < 0) return 0;
    return t.shape[own] === 1 && d !== 1 ? 0 : t.strides[own]!;
  });
}

/**
 * The strided view of `t` broadcast to `shape`, over its storage as `backend`'s kernels take it
 * (see {@link operandStorage}; `op` names the caller in errors).
 */
export function broadcastView(
  t: Tensor,
  shape: readonly number[],
  backend: AnyBackend = getBackend(),
  op = 'broadcast',
): StridedView<AnyMemory> {
  return { data: operandStorage(op, t, backend), offset: t.offset, strides: broadcastStrides(t, shape) };
}

/**
 * A contiguous copy of `t`'s elements in `dtype` as a host typed array (the storage itself when no
 * copy is needed), made by a host backend.
 * @throws DeviceMemoryError for a tensor in a device's memory.
 */
export function contiguousData(t: Tensor, dtype: DType = t.dtype) {
  if (dtype === t.dtype && t.isContiguous() && t.offset === 0 && t.storage.length === t.size)
    return t.storage;
  const out = allocStorage(dtype, shapeSize(t.shape));
  if (dtype === t.dtype && t.isContiguous()) {
    out.set(t.storage.subarray(t.offset, t.offset + t.size) as never);
    return out;
  }
  backendOf(t).copy({ data: t.storage, offset: t.offset, strides: t.strides }, out, t.shape);
  return out;
}

/**
 * `t`'s elements in `dtype` as contiguous storage of `backend`'s memory, starting at 0 and exactly
 * `t.size` long: `t`'s storage itself when it already is (never write into it), else a copy.
 * @throws DeviceMemoryError naming `op` when `t` lives in another device backend's memory.
 */
export function contiguousStorage(
  op: string,
  t: Tensor,
  backend: AnyBackend,
  dtype: DType = t.dtype,
): Storage {
  const data = operandStorage(op, t, backend);
  if (!isDeviceStorage(data)) return contiguousData(t, dtype);
  if (dtype === t.dtype && t.isContiguous() && t.offset === 0 && data.length === t.size) return data;
  const out = backend.alloc(dtype, t.size);
  backend.copy({ data, offset: t.offset, strides: t.strides }, out, t.shape);
  return out;
}

/** A fresh contiguous copy of `t`'s elements in `backend`'s memory (never `t`'s own storage). */
export function copiedStorage(op: string, t: Tensor, backend: AnyBackend): Storage {
  const data = contiguousStorage(op, t, backend);
  if (data !== t.buffer) return data;
  if (!isDeviceStorage(data)) return data.slice();
  const out = backend.alloc(t.dtype, t.size);
  backend.copy({ data, offset: 0, strides: contiguousStrides(t.shape) }, out, t.shape);
  return out;
}

/**
 * Host storage that JavaScript has just filled (a creation op, a random draw), placed where the
 * active backend keeps tensors: itself on a host backend, a copy in a device backend's memory.
 */
export function placed(storage: TypedArray): Storage {
  const backend = getBackend();
  return backend.memory === 'host' ? storage : backend.upload(storage);
}
