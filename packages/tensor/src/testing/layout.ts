import fc from 'fast-check';
import { tensor } from '../ops/creation.js';
import { contiguousStrides } from '../shape.js';
import { Tensor } from '../tensor.js';
import type { TensorArbOptions } from './index.js';

/**
 * A tensor of `shape` whose elements sit in storage in a random non-contiguous layout: axes permuted,
 * stepped (every 2nd or 3rd element), offset into a larger buffer, and — when `broadcast` is set —
 * some axes expanded from size 1 (stride 0). Ops must give the same results on such views as on
 * contiguous tensors with the same values.
 */
export function stridedOfShapeArb(
  shape: readonly number[],
  options: TensorArbOptions & { broadcast?: boolean } = {},
): fc.Arbitrary<Tensor> {
  const { dtype = 'float64', min = -2, max = 2, broadcast = false } = options;
  const n = shape.length;
  const axisArb = fc.record({
    step: fc.integer({ min: 1, max: 3 }),
    pad: fc.integer({ min: 0, max: 2 }),
    expand: broadcast ? fc.boolean() : fc.constant(false),
  });
  return fc
    .tuple(
      fc.array(axisArb, { minLength: n, maxLength: n }),
      fc.shuffledSubarray(
        shape.map((_, i) => i),
        { minLength: n, maxLength: n },
      ),
      fc.integer({ min: 0, max: 3 }),
    )
    .chain(([axes, order, lead]) => {
      // Storage holds the axes in `order`, each long enough for its step and padding.
      const baseShape = order.map((a) => (axes[a]!.expand ? 1 : shape[a]! * axes[a]!.step + axes[a]!.pad));
      const size = lead + baseShape.reduce((p, d) => p * d, 1);
      return fc
        .array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), {
          minLength: size,
          maxLength: size,
        })
        .map((values) => {
          const flat = tensor(values, { dtype });
          let t = new Tensor(flat.storage, baseShape, contiguousStrides(baseShape), lead);
          t = t.permute(order.map((_, i) => order.indexOf(i)));
          shape.forEach((d, a) => {
            if (axes[a]!.expand) t = t.expand(t.shape.map((s, i) => (i === a ? d : s)));
            else t = t.slice(a, axes[a]!.pad, undefined, axes[a]!.step).narrow(a, 0, d);
          });
          return t;
        });
    });
}

/** A random-shaped tensor in a random strided layout (see {@link stridedOfShapeArb}). */
export function stridedTensorArb(
  shape: { minRank?: number; maxRank?: number; minSize?: number; maxSize?: number } = {},
  values: TensorArbOptions & { broadcast?: boolean } = {},
): fc.Arbitrary<Tensor> {
  const { minRank = 0, maxRank = 3, minSize = 1, maxSize = 4 } = shape;
  return fc
    .array(fc.integer({ min: minSize, max: maxSize }), { minLength: minRank, maxLength: maxRank })
    .chain((s) => stridedOfShapeArb(s, values));
}
