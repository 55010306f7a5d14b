import fc from 'fast-check';
import * as A from '../index.js';
import type { Variable } from '../variable.js';
import { axis, type CaseSet, permutation, smallShape, type Trial, values } from './arbitraries.js';

type View = (x: Variable, shape: readonly number[]) => Variable;

/** A one-input trial: random values of `shape`, then `fn`. */
function on(shape: readonly number[], fn: (x: Variable) => Variable): fc.Arbitrary<Trial> {
  return values(shape).map((x): Trial => ({ inputs: [x], fn }));
}

/** The input transposed first (a non-contiguous view), then `fn` with the transposed shape. */
function onTransposed(shape: readonly number[], fn: View): fc.Arbitrary<Trial> {
  const t = [...shape];
  [t[0], t[t.length - 1]] = [t[t.length - 1]!, t[0]!];
  return on(shape, (x) => fn(A.transpose(x, 0, -1), t));
}

/**
 * A movement op on a contiguous input and on a transposed (non-contiguous) input; `args` draws the
 * op's arguments from the shape it is applied to.
 */
function movement<T>(
  shapes: fc.Arbitrary<number[]>,
  args: (shape: readonly number[]) => fc.Arbitrary<T>,
  op: (x: Variable, arg: T) => Variable,
): CaseSet {
  const draw = (transposed: boolean) =>
    shapes
      .filter((shape) => !transposed || shape.length >= 2)
      .chain((shape) => {
        const seen = transposed ? [shape.at(-1)!, ...shape.slice(1, -1), shape[0]!] : shape;
        const trial = (arg: T) =>
          transposed ? onTransposed(shape, (x) => op(x, arg)) : on(shape, (x) => op(x, arg));
        return args(seen).chain(trial);
      });
  return { contiguous: draw(false), 'transposed (non-contiguous) input': draw(true) };
}

const ranked = smallShape({ minRank: 1 });
const matrices = smallShape({ minRank: 2 });

/** A start, a length and an axis for narrow. */
const narrowArgs = (shape: readonly number[]) =>
  axis(shape.length).chain((dim) => {
    const n = shape[dim < 0 ? dim + shape.length : dim]!;
    return fc
      .integer({ min: 0, max: n - 1 })
      .chain((start) =>
        fc.tuple(fc.constant(dim), fc.constant(start), fc.integer({ min: 1, max: n - start })),
      );
  });

/** Python-style slice arguments (negative and omitted bounds, steps 1..3). */
const sliceArgs = (shape: readonly number[]) =>
  axis(shape.length).chain((dim) => {
    const n = shape[dim < 0 ? dim + shape.length : dim]!;
    const bound = fc.option(fc.integer({ min: -n, max: n }), { nil: undefined });
    return fc.tuple(fc.constant(dim), bound, bound, fc.integer({ min: 1, max: 3 }));
  });

/** Several inputs equal in shape except along `dim` (concat) or equal (stack). */
function joined(kind: 'concat' | 'stack'): CaseSet {
  const parts = (transposeFirst: boolean) =>
    fc
      .tuple(ranked, fc.integer({ min: 1, max: 3 }))
      .chain(([shape, count]) =>
        fc.tuple(
          fc.constant(shape),
          kind === 'concat' ? axis(shape.length) : fc.integer({ min: -shape.length - 1, max: shape.length }),
          fc.array(fc.integer({ min: 1, max: 3 }), { minLength: count, maxLength: count }),
        ),
      )
      .chain(([shape, dim, sizes]) => {
        const d = dim < 0 ? dim + shape.length + (kind === 'stack' ? 1 : 0) : dim;
        const shapes = sizes.map((s) => (kind === 'concat' ? shape.map((n, i) => (i === d ? s : n)) : shape));
        return fc.tuple(...shapes.map((s) => values(transposeFirst ? [...s].reverse() : s))).map(
          (inputs): Trial => ({
            inputs,
            fn: (...xs) => {
              const vs = transposeFirst
                ? xs.map((x) =>
                    A.permute(
                      x,
                      x.shape.map((_, i) => x.ndim - 1 - i),
                    ),
                  )
                : xs;
              return kind === 'concat' ? A.concat(vs, dim) : A.stack(vs, dim);
            },
          }),
        );
      });
  return { contiguous: parts(false), 'permuted (non-contiguous) inputs': parts(true) };
}

/** Sums the parts of a split with different weights so every part's gradient differs. */
const weighted = (parts: Variable[]): Variable =>
  parts
    .map((p, i) =>
      p
        .mul(i + 1)
        .square()
        .sum(),
    )
    .reduce((a, b) => A.add(a, b));

/** Gradient checks of every differentiable movement op (ops/movement.ts). */
export const movementCases = {
  reshape: {
    ...movement(smallShape(), (s) => permutation(s.length).map((p) => p.map((i) => s[i]!)), A.reshape),
    'inferred axis (-1)': ranked.chain((s) => on(s, (x) => x.reshape([-1, ...s.slice(1)]))),
  },
  view: {
    'contiguous input': smallShape().chain((s) =>
      permutation(s.length).chain((p) =>
        on(s, (x) =>
          A.view(
            x,
            p.map((i) => s[i]!),
          ),
        ),
      ),
    ),
    'narrowed leading axis (strided view)': matrices.chain(([n, ...rest]) =>
      on([n! + 1, ...rest], (x) => x.narrow(0, 1, n!).view([n!, -1])),
    ),
  },
  flatten: movement(
    smallShape(),
    (s) => {
      const r = Math.max(s.length, 1);
      return fc
        .tuple(fc.integer({ min: 0, max: r - 1 }), fc.integer({ min: 0, max: r - 1 }))
        .map(([a, b]) => [Math.min(a, b), Math.max(a, b) - r]);
    },
    (x, [start, end]) => A.flatten(x, start, end),
  ),
  permute: movement(
    smallShape(),
    (s) => permutation(s.length),
    (x, p) => x.permute(p.map((d, i) => (i % 2 ? d - x.ndim : d))),
  ),
  transpose: movement(
    matrices,
    (s) => fc.tuple(axis(s.length), axis(s.length)),
    (x, [a, b]) => A.transpose(x, a, b),
  ),
  expand: movement(
    smallShape(),
    (s) =>
      fc.tuple(
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: s.length, maxLength: s.length }),
      ),
    (x, [lead, grow]) => A.expand(x, [...lead, ...x.shape.map((d, i) => (d === 1 ? grow[i]! : -1))]),
  ),
  narrow: movement(ranked, narrowArgs, (x, [dim, start, length]) => A.narrow(x, dim, start, length)),
  slice: movement(ranked, sliceArgs, (x, [dim, start, end, step]) => x.slice(dim, start, end, step)),
  select: movement(
    ranked,
    (s) => axis(s.length).chain((d) => fc.tuple(fc.constant(d), axis(s[d < 0 ? d + s.length : d]!))),
    (x, [dim, index]) => A.select(x, dim, index),
  ),
  squeeze: movement(
    smallShape({ maxSize: 2 }),
    (s) => fc.option(fc.subarray(s.map((_, i) => i)), { nil: undefined }),
    (x, dims) => A.squeeze(x, dims),
  ),
  unsqueeze: movement(smallShape(), (s) => fc.integer({ min: -s.length - 1, max: s.length }), A.unsqueeze),
  contiguous: movement(
    matrices,
    () => fc.constant(null),
    (x) => A.contiguous(x),
  ),
  to: {
    'float64 (identity)': smallShape().chain((s) => on(s, (x) => A.to(x, 'float64'))),
    'float32 and back': smallShape().chain((s) =>
      values(s).map(
        (x): Trial => ({
          inputs: [x],
          fn: (v) => v.to('float32').to('float64'),
          options: { eps: 1e-2, atol: 1e-3 },
        }),
      ),
    ),
  },
  concat: joined('concat'),
  stack: joined('stack'),
  split: movement(
    ranked,
    (s) =>
      axis(s.length).chain((dim) => {
        const n = s[dim < 0 ? dim + s.length : dim]!;
        const sizes = fc.integer({ min: 1, max: n }).chain((first) => fc.constant([first, n - first]));
        return fc.tuple(fc.constant(dim), fc.oneof(fc.integer({ min: 1, max: n }), sizes));
      }),
    (x, [dim, size]) => weighted(A.split(x, size, dim)),
  ),
  chunk: movement(
    ranked,
    (s) => fc.tuple(axis(s.length), fc.integer({ min: 1, max: 4 })),
    (x, [dim, chunks]) => weighted(x.chunk(chunks, dim)),
  ),
} satisfies Record<string, CaseSet>;
