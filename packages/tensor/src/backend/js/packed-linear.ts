import { toHalfBits, widenHalfBits } from '../../half-precision.js';
import type { PackedLinearKernel, PackLinearArgs } from '../backend.js';
import { matmul } from './matmul.js';

/**
 * The reference {@link Backend.packLinear}: a copy of the weight, rounded to its dtype and widened
 * back to float32, multiplied with the JS matmul (reading it transposed in place), then the bias added.
 */
export function packLinear(args: PackLinearArgs): PackedLinearKernel {
  const { n, k, dtype } = args;
  const weight =
    dtype === 'float32'
      ? args.weight.slice()
      : widenHalfBits(toHalfBits('packLinear', args.weight, dtype, k), dtype);
  const bias = args.bias?.slice() ?? null;
  let released = false;
  return {
    bytes: weight.byteLength + (bias?.byteLength ?? 0),
    apply(x, m, out) {
      if (released) throw new Error('packedLinear: the packed weight was released');
      const offsets = new Int32Array(1);
      matmul({
        a: x,
        b: weight,
        out,
        batch: 1,
        m,
        n,
        k,
        aOffsets: offsets,
        bOffsets: offsets,
        aRowStride: k,
        aColStride: 1,
        bRowStride: 1,
        bColStride: k,
      });
      if (!bias) return;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! + bias[j]!;
    },
    release() {
      released = true;
    },
  };
}
