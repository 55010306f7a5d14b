import fc from 'fast-check';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';

export { testWebGPUBackend } from '../backend/webgpu/test-runtime.js';
export { describeBackendConformance } from './backend-conformance.js';
export { backendNames, withBackend } from './backends.js';
export { createEmulatedDeviceBackend } from './emulated-device.js';
export { stridedOfShapeArb, stridedTensorArb } from './layout.js';
export { withoutFusedKernels } from './primitives-only.js';
export type { CloseOptions, NestedNumbers } from './reference.js';
export {
  assertClose,
  broadcastElementAt,
  elementAt,
  errorOf,
  flattenNested,
  indicesOf,
  valuesOf,
} from './reference.js';

/**
 * fast-check arbitraries shared by every package and backend: shapes, broadcastable pairs and
 * tensors. Values avoid NaN and infinities; use `min`/`max` to keep away from kinks.
 */

/** Options for {@link shapeArb}. */
export interface ShapeArbOptions {
  minRank?: number;
  maxRank?: number;
  minSize?: number;
  maxSize?: number;
}

/** Random shapes (axes of size 1 included). */
export function shapeArb(options: ShapeArbOptions = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 3, minSize = 1, maxSize = 4 } = options;
  return fc.array(fc.integer({ min: minSize, max: maxSize }), { minLength: minRank, maxLength: maxRank });
}

/** Pairs of shapes that broadcast together: each axis of one is kept, set to 1, or dropped from the front. */
export function broadcastPairArb(options: ShapeArbOptions = {}): fc.Arbitrary<[number[], number[]]> {
  return shapeArb(options).chain((shape) =>
    fc
      .tuple(
        fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
        fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
        fc.integer({ min: 0, max: shape.length }),
      )
      .map(([onesA, onesB, drop]): [number[], number[]] => [
        shape.map((d, i) => (onesA[i] ? 1 : d)),
        shape.map((d, i) => (onesB[i] ? 1 : d)).slice(drop),
      ]),
  );
}

/** Options for {@link tensorArb}. */
export interface TensorArbOptions {
  dtype?: 'float32' | 'float64';
  min?: number;
  max?: number;
}

/** A tensor of `shape` with finite random values in [min, max] (default [-2, 2]). */
export function tensorOfShapeArb(
  shape: readonly number[],
  options: TensorArbOptions = {},
): fc.Arbitrary<Tensor> {
  const { dtype = 'float64', min = -2, max = 2 } = options;
  const size = shape.reduce((p, d) => p * d, 1);
  return fc
    .array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), {
      minLength: size,
      maxLength: size,
    })
    .map((values) => tensor(values, { dtype, shape }));
}

/** A random-shaped tensor with finite values. */
export function tensorArb(shape: ShapeArbOptions = {}, values: TensorArbOptions = {}): fc.Arbitrary<Tensor> {
  return shapeArb(shape).chain((s) => tensorOfShapeArb(s, values));
}

/** Largest absolute elementwise difference between two same-shaped tensors (as float64). */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.to('float64').data();
  const y = b.to('float64').data();
  if (x.length !== y.length) throw new Error(`maxAbsDiff: sizes differ (${x.length} vs ${y.length})`);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!);
    if (d > worst || Number.isNaN(d)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return worst;
}
