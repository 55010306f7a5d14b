import { forEachRow } from './backend/js/strided.js';
import { type AnyBackend, backendFor, operandStorage } from './backend/registry.js';
import { DeviceMemoryError, fmtShape, ShapeError } from './errors.js';
import { checkInt32Cast } from './int32.js';
import { broadcastShapes, shapesEqual } from './shape.js';
import { broadcastStrides, broadcastView } from './storage.js';
import type { Tensor } from './tensor.js';

/**
 * Copies `src`, broadcast to `dst`'s shape, into `dst`'s (possibly strided) elements, converting as
 * `src.to(dst.dtype)` does.
 * @throws DTypeError when a float element of `src` does not fit an int32 `dst`.
 */
export function copyInto(dst: Tensor, src: Tensor): void {
  const shape = broadcastShapes('assign', dst.shape, src.shape);
  if (!shapesEqual(shape, dst.shape)) {
    throw new ShapeError(
      `assign: source ${fmtShape(src.shape)} does not broadcast to destination ${fmtShape(dst.shape)}`,
    );
  }
  if (dst.dtype === 'int32') checkInt32Cast('assign', src);
  const backend = backendFor('assign', dst, src);
  if (backend.memory === 'device') {
    copyIntoDevice(dst, src, shape, backend);
    return;
  }
  const from = { data: src.storage, offset: src.offset, strides: broadcastStrides(src, shape) };
  const to = { data: dst.storage, offset: dst.offset, strides: dst.strides };
  const x = from.data;
  const out = to.data;
  const toBool = dst.dtype === 'bool' && src.dtype !== 'bool';
  forEachRow(shape, [from, to], (offsets, _r, n, strides) => {
    let si = offsets[0]!;
    let di = offsets[1]!;
    const ss = strides[0]!;
    const ds = strides[1]!;
    if (toBool) for (let j = 0; j < n; j++, si += ss, di += ds) out[di] = x[si] !== 0 ? 1 : 0;
    else for (let j = 0; j < n; j++, si += ss, di += ds) out[di] = x[si]!;
  });
}

/**
 * {@link copyInto} on a device backend, whose `copy` kernel writes contiguous storage from offset 0:
 * the destination must be a whole contiguous tensor (what optimizers and caches write).
 * @throws DeviceMemoryError for a strided or partial destination in device memory.
 */
function copyIntoDevice(dst: Tensor, src: Tensor, shape: readonly number[], backend: AnyBackend): void {
  const out = operandStorage('assign', dst, backend);
  if (!(dst.isContiguous() && dst.offset === 0 && out.length === dst.size))
    throw new DeviceMemoryError(
      `assign: writing into a view (shape ${fmtShape(dst.shape)}, offset ${dst.offset}) of ${backend.name} memory is not supported; assign whole tensors there`,
    );
  backend.copy(broadcastView(src, shape, backend, 'assign'), out, shape);
}
