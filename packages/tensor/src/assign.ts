import { isDeviceStorage } from './backend/memory.js';
import { backendFor, operandStorage } from './backend/registry.js';
import { DeviceMemoryError, fmtShape, ShapeError } from './errors.js';
import { checkInt32Cast } from './int32.js';
import { broadcastShapes, shapesEqual } from './shape.js';
import { broadcastView } from './storage.js';
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
  if (dst.dtype === 'int32' && !isDeviceStorage(src.buffer)) checkInt32Cast('assign', src);
  const backend = backendFor('assign', dst, src);
  if (backend.memory === 'device' && !isDeviceStorage(dst.buffer))
    throw new DeviceMemoryError(
      `assign: the destination is in host memory but the source in ${backend.name} memory; read the source with await src.dataAsync()`,
    );
  const from = broadcastView(src, shape, backend, 'assign');
  const out = operandStorage('assign', dst, backend);
  if (backend.copyInto)
    backend.copyInto(from, { data: out, offset: dst.offset, strides: dst.strides }, shape);
  else if (dst.isContiguous() && dst.offset === 0 && out.length === dst.size) backend.copy(from, out, shape);
  else
    throw new DeviceMemoryError(
      `assign: backend ${backend.name} cannot write into a view (shape ${fmtShape(dst.shape)}, offset ${dst.offset}) of its memory (it has no copyInto kernel)`,
    );
}
