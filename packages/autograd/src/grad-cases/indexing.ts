import fc from 'fast-check';
import * as A from '../index.js';
import { axis, type CaseSet, distinct, indices, smallShape, type Trial, values } from './arbitraries.js';

const ranked = smallShape({ minRank: 1 });
const matrices = smallShape({ minRank: 2 });
const norm = (dim: number, ndim: number) => (dim < 0 ? dim + ndim : dim);

/** A gather/scatter index for `shape` along `dim`: no larger than `shape` off `dim`, any length along it. */
function gatherIndex(shape: readonly number[], dim: number) {
  const d = norm(dim, shape.length);
  return fc
    .tuple(...shape.map((n, i) => fc.integer({ min: 1, max: i === d ? 4 : n })))
    .chain((s) => indices(s, shape[d]!));
}

/** A tensor `x`, an axis, and a gather index into it (repeated positions included). */
const gatherArgs = ranked.chain((shape) =>
  axis(shape.length).chain((dim) => fc.tuple(values(shape), fc.constant(dim), gatherIndex(shape, dim))),
);

/** scatterAdd's `x`, `dim`, `index` and a `src` at least as large as `index` on every axis. */
const scatterArgs = gatherArgs.chain(([x, dim, index]) =>
  fc
    .tuple(...index.shape.map((n) => fc.integer({ min: n, max: n + 1 })))
    .chain((srcShape) => values(srcShape))
    .map((src) => [x, dim, index, src] as const),
);

/** Gradient checks of every differentiable indexing op (ops/indexing.ts). */
export const indexingCases = {
  gather: {
    'any axis, repeated indices': gatherArgs.map(
      ([x, dim, index]): Trial => ({ inputs: [x], fn: (v) => A.gather(v, dim, index) }),
    ),
    'transposed (non-contiguous) input': gatherArgs
      .filter(([x]) => x.ndim >= 2)
      .map(
        ([x, dim, index]): Trial => ({
          inputs: [x.transpose(0, -1).contiguous()],
          fn: (v) => A.transpose(v, 0, -1).gather(dim, index),
        }),
      ),
  },
  indexSelect: {
    'any axis, repeated indices': ranked.chain((shape) =>
      axis(shape.length).chain((dim) =>
        fc
          .tuple(values(shape), fc.integer({ min: 1, max: 5 }))
          .chain(([x, n]) =>
            indices([n], shape[norm(dim, shape.length)]!).map(
              (index): Trial => ({ inputs: [x], fn: (v) => A.indexSelect(v, dim, index) }),
            ),
          ),
      ),
    ),
    'transposed (non-contiguous) input': matrices.chain((shape) =>
      fc
        .tuple(values(shape), indices([3], shape[0]!))
        .map(([x, index]): Trial => ({ inputs: [x], fn: (v) => v.transpose(0, -1).indexSelect(-1, index) })),
    ),
  },
  indexAdd: {
    'into x and from src, any axis, repeated indices': ranked.chain((shape) =>
      axis(shape.length).chain((dim) => {
        const d = norm(dim, shape.length);
        return fc.integer({ min: 1, max: 5 }).chain((n) =>
          fc
            .tuple(values(shape), values(shape.map((s, i) => (i === d ? n : s))), indices([n], shape[d]!))
            .map(
              ([x, src, index]): Trial => ({
                inputs: [x, src],
                fn: (v, s) => A.indexAdd(v, dim, index, s),
              }),
            ),
        );
      }),
    ),
  },
  scatterAdd: {
    'into x and from src': scatterArgs.map(
      ([x, dim, index, src]): Trial => ({
        inputs: [x, src],
        fn: (v, s) => A.scatterAdd(v, dim, index, s),
      }),
    ),
    'constant src': scatterArgs.map(
      ([x, dim, index, src]): Trial => ({ inputs: [x], fn: (v) => v.scatterAdd(dim, index, src) }),
    ),
  },
  topk: {
    'largest and smallest, any axis': ranked.chain((shape) =>
      axis(shape.length).chain((dim) =>
        fc
          .tuple(distinct(shape), fc.integer({ min: 1, max: shape[norm(dim, shape.length)]! }), fc.boolean())
          .map(
            ([x, k, largest]): Trial => ({
              inputs: [x],
              fn: (v) => A.topk(v, k, { dim, largest }).values,
            }),
          ),
      ),
    ),
  },
  tril: {
    'any diagonal': matrices.chain((shape) =>
      fc
        .tuple(values(shape), fc.integer({ min: -3, max: 3 }))
        .map(([x, k]): Trial => ({ inputs: [x], fn: (v) => A.tril(v, k) })),
    ),
    'transposed (non-contiguous) input': matrices.chain((shape) =>
      values(shape).map((x): Trial => ({ inputs: [x], fn: (v) => v.transpose(-2, -1).tril() })),
    ),
  },
  triu: {
    'any diagonal': matrices.chain((shape) =>
      fc
        .tuple(values(shape), fc.integer({ min: -3, max: 3 }))
        .map(([x, k]): Trial => ({ inputs: [x], fn: (v) => v.triu(k) })),
    ),
    'transposed (non-contiguous) input': matrices.chain((shape) =>
      values(shape).map((x): Trial => ({ inputs: [x], fn: (v) => A.triu(A.transpose(v, -2, -1), 1) })),
    ),
  },
} satisfies Record<string, CaseSet>;
