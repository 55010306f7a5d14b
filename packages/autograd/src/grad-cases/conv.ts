import { tensor } from '@proj/tensor';
import fc from 'fast-check';
import * as A from '../index.js';
import { type CaseSet, distinct, positive, type Trial, values } from './arbitraries.js';

const pairOf = (min: number, max: number) =>
  fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })) as fc.Arbitrary<[number, number]>;

/**
 * A small image batch shape `[N, C, H, W]` with windows that fit: kernel, stride, padding (at most
 * half the kernel for pooling) and dilation.
 */
function windows(options: { pool?: boolean; dilation?: boolean; channels?: number }) {
  return fc
    .record({
      n: fc.integer({ min: 1, max: 2 }),
      c: fc.integer({ min: 1, max: options.channels ?? 2 }),
      kernel: pairOf(1, 3),
      stride: pairOf(1, 2),
      dilation: options.dilation === false ? fc.constant([1, 1] as [number, number]) : pairOf(1, 2),
      extra: pairOf(0, 2),
      padSeed: pairOf(0, 1),
    })
    .map(({ n, c, kernel, stride, dilation, extra, padSeed }) => {
      // pooling: no padding across a dilated axis, where a window could hold no image element (−∞)
      const padding = kernel.map((k, i) =>
        options.pool && dilation[i]! > 1 ? 0 : Math.min(padSeed[i]!, options.pool ? Math.floor(k / 2) : 1),
      ) as [number, number];
      // the smallest image one window fits, plus up to 2
      const [h, w] = kernel.map(
        (k, i) => Math.max(1, dilation[i]! * (k - 1) + 1 - 2 * padding[i]!) + extra[i]!,
      );
      return { shape: [n, c, h!, w!], kernel, stride, padding, dilation };
    });
}

function unfoldCases(): CaseSet {
  return {
    'kernel, stride, padding, dilation': windows({}).chain(({ shape, kernel, ...o }) =>
      values(shape).map((x): Trial => ({ inputs: [x], fn: (v) => A.unfold(v, kernel, o) })),
    ),
  };
}

function foldCases(): CaseSet {
  return {
    'kernel, stride, padding, dilation': windows({}).chain(({ shape, kernel, ...o }) => {
      const cols = A.unfold(tensor(0, { dtype: 'float64' }).expand(shape), kernel, o).shape;
      return values(cols).map(
        (x): Trial => ({ inputs: [x], fn: (v) => A.fold(v, [shape[2]!, shape[3]!], kernel, o) }),
      );
    }),
  };
}

function conv2dCases(): CaseSet {
  const conv = (groups: number, same: boolean) =>
    windows({ channels: 2 }).chain(({ shape, kernel, stride, padding, dilation }) => {
      const [n, c, h, w] = shape as [number, number, number, number];
      const cIn = c * groups;
      return fc
        .tuple(values([n, cIn, h, w]), values([2 * groups, c, ...kernel]), values([2 * groups]), fc.boolean())
        .map(([xv, wv, bv, bias]): Trial => {
          const options = same
            ? { padding: 'same' as const, dilation, groups }
            : { stride, padding, dilation, groups };
          return {
            inputs: bias ? [xv, wv, bv] : [xv, wv],
            fn: (vx, vw, vb) => A.conv2d(vx, vw, vb ?? null, options),
          };
        });
    });
  return {
    'stride, padding, dilation, bias': conv(1, false),
    'two groups': conv(2, false),
    "padding 'same' (odd totals pad the bottom and right)": conv(1, true),
    'unbatched input [C, H, W]': fc.tuple(values([2, 4, 5]), values([3, 2, 2, 3]), values([3])).map(
      ([x, w, b]): Trial => ({
        inputs: [x, w, b],
        fn: (vx, vw, vb) => A.conv2d(vx, vw, vb, { padding: 1 }),
      }),
    ),
  };
}

function poolCases(): CaseSet {
  const pooled = (dilation: boolean) => fc.tuple(windows({ pool: true, dilation }), fc.boolean());
  return {
    'kernel, stride, padding, dilation, ceil mode (distinct values)': pooled(true).chain(
      ([{ shape, kernel, ...o }, ceilMode]) =>
        distinct(shape).map(
          (x): Trial => ({ inputs: [x], fn: (v) => A.maxPool2d(v, kernel, { ...o, ceilMode }) }),
        ),
    ),
    'unbatched, default stride': distinct([2, 4, 5]).map(
      (x): Trial => ({ inputs: [x], fn: (v) => A.maxPool2d(v, 2) }),
    ),
  };
}

function avgPoolCases(): CaseSet {
  return {
    'kernel, stride, padding, ceil mode, countIncludePad, divisorOverride': fc
      .tuple(
        windows({ pool: true, dilation: false }),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      )
      .chain(([{ shape, kernel, stride, padding }, ceilMode, countIncludePad, divisorOverride]) =>
        values(shape).map(
          (x): Trial => ({
            inputs: [x],
            fn: (v) =>
              A.avgPool2d(v, kernel, { stride, padding, ceilMode, countIncludePad, divisorOverride }),
          }),
        ),
      ),
  };
}

function batchNormCases(): CaseSet {
  const shapes = fc.oneof(
    fc.tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 3 })).map(([n, c]) => [n, c]),
    fc
      .tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), pairOf(1, 3))
      .filter(([n, , [h, w]]) => n * h * w > 1)
      .map(([n, c, [h, w]]) => [n, c, h, w]),
  );
  const stats = (c: number) => fc.tuple(values([c], -1, 1), positive([c], 0.5, 2));
  return {
    'training: batch statistics, with and without weight and bias': shapes.chain((shape) =>
      fc.tuple(distinct(shape), values([shape[1]!]), values([shape[1]!]), stats(shape[1]!), fc.boolean()).map(
        ([x, w, b, [rm, rv], affine]): Trial => ({
          inputs: affine ? [x, w, b] : [x],
          // fresh running statistics per call: the forward updates them in place
          fn: (vx, vw, vb) =>
            A.batchNorm(vx, rm.clone(), rv.clone(), vw ?? null, vb ?? null, {
              training: true,
              momentum: 0.3,
            }),
        }),
      ),
    ),
    'evaluation: running statistics': shapes.chain((shape) =>
      fc.tuple(values(shape), values([shape[1]!]), values([shape[1]!]), stats(shape[1]!)).map(
        ([x, w, b, [rm, rv]]): Trial => ({
          inputs: [x, w, b],
          fn: (vx, vw, vb) => A.batchNorm(vx, rm, rv, vw, vb, { eps: 1e-3 }),
        }),
      ),
    ),
  };
}

/** Gradient checks of the image ops (ops/conv.ts, ops/pool.ts, ops/batch-norm.ts). */
export const convCases = {
  unfold: unfoldCases(),
  fold: foldCases(),
  conv2d: conv2dCases(),
  maxPool2d: poolCases(),
  avgPool2d: avgPoolCases(),
  batchNorm: batchNormCases(),
} satisfies Record<string, CaseSet>;
