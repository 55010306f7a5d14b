import type { StridedView } from '../backend.js';
import { forEachRow } from './strided.js';

/**
 * Writes the strided view `src` into the strided view `dst` over `shape`, converting to `dst`'s
 * dtype (anything → bool is `!= 0`; float → int32 truncates, as typed arrays store it).
 */
export function copyInto(src: StridedView, dst: StridedView, shape: readonly number[]): void {
  const x = src.data;
  const out = dst.data;
  const toBool = out instanceof Uint8Array && !(x instanceof Uint8Array);
  forEachRow(shape, [src, dst], (offsets, _r, n, strides) => {
    let si = offsets[0]!;
    let di = offsets[1]!;
    const ss = strides[0]!;
    const ds = strides[1]!;
    if (toBool) for (let j = 0; j < n; j++, si += ss, di += ds) out[di] = x[si] !== 0 ? 1 : 0;
    else for (let j = 0; j < n; j++, si += ss, di += ds) out[di] = x[si]!;
  });
}
