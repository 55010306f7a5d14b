import { forEachRow } from './backend/js/strided.js';
import { fmtShape, ShapeError } from './errors.js';
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
  if (dst.dtype === 'int32') checkInt32Cast('assign', src);
  const from = broadcastView(src, shape);
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
