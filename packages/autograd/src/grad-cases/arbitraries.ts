import { type Tensor, tensor } from '@proj/tensor';
import { type ShapeArbOptions, shapeArb, tensorOfShapeArb } from '@proj/tensor/testing';
import fc from 'fast-check';
import type { GradcheckOptions } from '../gradcheck.js';
import type { Variable } from '../variable.js';

/**
 * Value arbitraries for gradient checks: float64 tensors whose entries stay away from the kinks and
 * domain edges of the op under test, so central differences are meaningful.
 */

/** One gradient check: `gradcheck(fn, inputs)` must pass. */
export interface Trial {
  /** The tensors `gradcheck` differentiates with respect to (cast to float64). */
  inputs: Tensor[];
  /** The computation under test, from Variables of `inputs` to a Variable. */
  fn: (...xs: Variable[]) => Variable;
  /** Overrides of gradcheck's step and tolerances (e.g. for float32 round trips). */
  options?: GradcheckOptions;
}

/** Named variants of the checks of one op. */
export type CaseSet = Readonly<Record<string, fc.Arbitrary<Trial>>>;

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Uniform values in [min, max] (default [-2, 2]). */
export function values(shape: readonly number[], min = -2, max = 2): fc.Arbitrary<Tensor> {
  return tensorOfShapeArb(shape, { min, max });
}

/** Values with `|v| >= gap` (both signs): away from the kink of relu/abs and the pole of 1/x. */
export function awayFromZero(shape: readonly number[], gap = 0.1, max = 2): fc.Arbitrary<Tensor> {
  return fc
    .array(fc.tuple(fc.double({ min: gap, max, noNaN: true }), fc.boolean()), {
      minLength: size(shape),
      maxLength: size(shape),
    })
    .map((vs) => tensor(vs.map(([v, neg]) => (neg ? -v : v)) as number[], { dtype: 'float64', shape }));
}

/** Values in [min, max] with min > 0: the domain of log, sqrt, a real power. */
export function positive(shape: readonly number[], min = 0.2, max = 3): fc.Arbitrary<Tensor> {
  return values(shape, min, max);
}

/**
 * Pairwise-distinct values at least 0.05 apart (a shuffled ladder plus jitter): no ties for max,
 * min, topk, and a non-zero spread for std.
 */
export function distinct(shape: readonly number[]): fc.Arbitrary<Tensor> {
  const n = size(shape);
  const ranks = Array.from({ length: n }, (_, i) => i);
  return fc
    .tuple(
      fc.shuffledSubarray(ranks, { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: 0, max: 0.05, noNaN: true }), { minLength: n, maxLength: n }),
    )
    .map(([order, jitter]) =>
      tensor(
        order.map((r, i) => (r - n / 2) * 0.1 + jitter[i]!),
        { dtype: 'float64', shape },
      ),
    );
}

/** Values on two interleaved ladders: `a` and `b` never come within 0.04 of each other (max/min ties). */
export function interleaved(shape: readonly number[], odd: boolean): fc.Arbitrary<Tensor> {
  return fc
    .array(fc.tuple(fc.integer({ min: -8, max: 8 }), fc.double({ min: -0.03, max: 0.03, noNaN: true })), {
      minLength: size(shape),
      maxLength: size(shape),
    })
    .map((vs) =>
      tensor(
        vs.map(([k, jitter]) => 0.2 * k + (odd ? 0.1 : 0) + jitter),
        { dtype: 'float64', shape },
      ),
    );
}

/** Values kept at least 0.05 away from each of `bounds` (the kinks of clamp). */
export function awayFrom(shape: readonly number[], bounds: readonly number[]): fc.Arbitrary<Tensor> {
  return values(shape).map((t) => {
    const out = (t.data() as Float64Array).map((v) => {
      for (const b of bounds) if (Math.abs(v - b) < 0.05) return b + (v >= b ? 0.05 : -0.05);
      return v;
    });
    return tensor(out, { dtype: 'float64', shape });
  });
}

/** A random bool tensor. */
export function boolMask(shape: readonly number[]): fc.Arbitrary<Tensor> {
  return fc
    .array(fc.boolean(), { minLength: size(shape), maxLength: size(shape) })
    .map((bs) => tensor(bs, { dtype: 'bool', shape }));
}

/** A random int32 tensor with entries in `[0, bound)`. */
export function indices(shape: readonly number[], bound: number): fc.Arbitrary<Tensor> {
  return fc
    .array(fc.integer({ min: 0, max: bound - 1 }), { minLength: size(shape), maxLength: size(shape) })
    .map((is) => tensor(is, { dtype: 'int32', shape }));
}

/** `shape` with a random subset of axes set to 1 and a random number of leading axes dropped. */
export function broadcastableTo(shape: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.integer({ min: 0, max: shape.length }),
    )
    .map(([ones, drop]) => shape.map((d, i) => (ones[i] ? 1 : d)).slice(drop));
}

/** Shapes of small tensors (rank 0..3, axes 1..3 by default). */
export function smallShape(options: ShapeArbOptions = {}): fc.Arbitrary<number[]> {
  return shapeArb({ maxRank: 3, maxSize: 3, ...options });
}

/** A normalised or negative axis of a tensor of rank `ndim >= 1`. */
export function axis(ndim: number): fc.Arbitrary<number> {
  return fc.integer({ min: -ndim, max: ndim - 1 });
}

/** `dim` arguments of a reduction over a rank-`ndim` tensor: all axes, one axis, or a subset. */
export function dims(ndim: number): fc.Arbitrary<number | number[] | undefined> {
  if (ndim === 0) return fc.constant(undefined);
  return fc.oneof(
    fc.constant(undefined),
    axis(ndim),
    fc
      .subarray(
        Array.from({ length: ndim }, (_, i) => i),
        { minLength: 1 },
      )
      .chain((ds) => fc.tuple(...ds.map((d) => fc.boolean().map((neg) => (neg ? d - ndim : d))))),
  );
}

/** A random permutation of `0..n-1`. */
export function permutation(n: number): fc.Arbitrary<number[]> {
  const ids = Array.from({ length: n }, (_, i) => i);
  return fc.shuffledSubarray(ids, { minLength: n, maxLength: n });
}
