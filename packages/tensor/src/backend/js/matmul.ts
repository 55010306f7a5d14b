import type { FloatArray } from '../../dtype.js';
import type { MatmulArgs } from '../backend.js';

const ROW_BLOCK = 4;
const K_BLOCK = 256;

/**
 * Reference batched matmul. B is packed once per batch into a contiguous `[k, n]` panel (which also
 * makes transposed operands cheap), then four rows of the output are accumulated at a time over
 * blocks of k so the packed rows stay in cache.
 */
export function matmul(args: MatmulArgs): void {
  const { a, b, out, batch, m, n, k, aRowStride, aColStride, bRowStride, bColStride } = args;
  const packed = new (out.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(k * n);
  for (let bt = 0; bt < batch; bt++) {
    const aOff = args.aOffsets[bt]!;
    const bOff = args.bOffsets[bt]!;
    packPanel(b, bOff, bRowStride, bColStride, k, n, packed);
    const o = bt * m * n;
    out.fill(0, o, o + m * n);
    for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
      const p1 = Math.min(k, p0 + K_BLOCK);
      let i = 0;
      for (; i + ROW_BLOCK <= m; i += ROW_BLOCK) {
        const c0 = o + i * n;
        const c1 = c0 + n;
        const c2 = c1 + n;
        const c3 = c2 + n;
        for (let p = p0; p < p1; p++) {
          const ap = aOff + p * aColStride + i * aRowStride;
          const a0 = a[ap]!;
          const a1 = a[ap + aRowStride]!;
          const a2 = a[ap + 2 * aRowStride]!;
          const a3 = a[ap + 3 * aRowStride]!;
          const bp = p * n;
          for (let j = 0; j < n; j++) {
            const bv = packed[bp + j]!;
            out[c0 + j]! += a0 * bv;
            out[c1 + j]! += a1 * bv;
            out[c2 + j]! += a2 * bv;
            out[c3 + j]! += a3 * bv;
          }
        }
      }
      for (; i < m; i++) {
        const c0 = o + i * n;
        for (let p = p0; p < p1; p++) {
          const a0 = a[aOff + i * aRowStride + p * aColStride]!;
          const bp = p * n;
          for (let j = 0; j < n; j++) out[c0 + j]! += a0 * packed[bp + j]!;
        }
      }
    }
  }
}

function packPanel(
  b: FloatArray,
  offset: number,
  rowStride: number,
  colStride: number,
  k: number,
  n: number,
  packed: FloatArray,
): void {
  if (colStride === 1 && rowStride === n) {
    packed.set(b.subarray(offset, offset + k * n));
    return;
  }
  for (let p = 0; p < k; p++) {
    const src = offset + p * rowStride;
    const dst = p * n;
    for (let j = 0; j < n; j++) packed[dst + j] = b[src + j * colStride]!;
  }
}
