import { Generator, stack, type Tensor, tensor } from '@proj/tensor';
import fc from 'fast-check';
import * as A from '../index.js';
import type { Variable } from '../variable.js';
import {
  awayFromZero,
  axis,
  boolMask,
  type CaseSet,
  indices,
  smallShape,
  type Trial,
  values,
} from './arbitraries.js';

const ranked = smallShape({ minRank: 1 });

/** softmax / logSoftmax along any axis, and along the last axis of a transposed view. */
function softmaxLike(op: (x: Variable, dim: number) => Variable): CaseSet {
  return {
    'any axis': ranked.chain((shape) =>
      fc
        .tuple(values(shape, -3, 3), axis(shape.length))
        .map(([x, dim]): Trial => ({ inputs: [x], fn: (v) => op(v, dim) })),
    ),
    'transposed (non-contiguous) input': smallShape({ minRank: 2 }).chain((shape) =>
      values(shape, -3, 3).map((x): Trial => ({ inputs: [x], fn: (v) => op(A.transpose(v, 0, -1), -1) })),
    ),
  };
}

/** Logits `[...rows, C]` and int32 targets with some rows set to `ignoreIndex` (never all of them). */
function crossEntropyArgs(ignoreIndex: number) {
  return fc
    .tuple(smallShape({ maxRank: 2 }), fc.integer({ min: 2, max: 5 }))
    .chain(([rows, classes]) =>
      fc.tuple(
        values([...rows, classes], -3, 3),
        indices(rows, classes),
        boolMask(rows),
        fc.constantFrom('mean' as const, 'sum' as const, 'none' as const),
      ),
    )
    .map(([logits, targets, ignored, reduction]) => {
      const t = (targets.data() as Int32Array).slice();
      const drop = ignored.data();
      for (let i = 1; i < t.length; i++) if (drop[i]) t[i] = ignoreIndex;
      if (t[0] === ignoreIndex) t[0] = 0; // row 0 always counts (a mean over no rows is NaN)
      return { logits, targets: tensor(t, { dtype: 'int32', shape: targets.shape }), reduction };
    });
}

function crossEntropyCases(): CaseSet {
  const smoothing = fc.oneof(fc.constant(0), fc.double({ min: 0.05, max: 0.5, noNaN: true }));
  return {
    'default ignoreIndex, every reduction, label smoothing': fc.tuple(crossEntropyArgs(-100), smoothing).map(
      ([{ logits, targets, reduction }, labelSmoothing]): Trial => ({
        inputs: [logits],
        fn: (v) => A.crossEntropy(v, targets, { reduction, labelSmoothing }),
      }),
    ),
    'custom ignoreIndex': fc.tuple(crossEntropyArgs(1), smoothing).map(
      ([{ logits, targets, reduction }, labelSmoothing]): Trial => ({
        inputs: [logits],
        fn: (v) => A.crossEntropy(v, targets, { ignoreIndex: 1, reduction, labelSmoothing }),
      }),
    ),
    'transposed (non-contiguous) logits': fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 }))
      .chain(([n, c]) => fc.tuple(values([c, n], -3, 3), indices([n], c)))
      .map(
        ([logits, targets]): Trial => ({
          inputs: [logits],
          fn: (v) => A.crossEntropy(A.transpose(v, 0, 1), targets, { labelSmoothing: 0.1 }),
        }),
      ),
  };
}

/** A normalisation input `[..., C]` with optional `[C]` parameters. */
function normCases(
  op: (x: Variable, weight: Variable | null, bias: Variable | null) => Variable,
  withBias: boolean,
  valuesOf: (shape: readonly number[]) => fc.Arbitrary<Tensor>,
): CaseSet {
  const cases: Record<string, fc.Arbitrary<Trial>> = {};
  for (const weight of [false, true]) {
    for (const bias of withBias ? [false, true] : [false]) {
      const name = `${weight ? 'with' : 'without'} weight${withBias ? `, ${bias ? 'with' : 'without'} bias` : ''}`;
      cases[name] = smallShape({ minRank: 1, minSize: 2 }).chain((shape) => {
        const c = shape.at(-1)!;
        return fc.tuple(valuesOf(shape), values([c]), values([c])).map(([x, w, b]): Trial => {
          const inputs = [x, ...(weight ? [w] : []), ...(bias ? [b] : [])];
          return {
            inputs,
            fn: (v, ...params) => {
              const pw = weight ? params[0]! : null;
              const pb = bias ? params[weight ? 1 : 0]! : null;
              return op(v, pw, pb);
            },
          };
        });
      });
    }
  }
  cases['transposed (non-contiguous) input'] = smallShape({ minRank: 2, minSize: 2 }).chain((shape) =>
    valuesOf(shape).map((x): Trial => ({ inputs: [x], fn: (v) => op(A.transpose(v, 0, -1), null, null) })),
  );
  return cases;
}

/** q `[..., L, E]`, k `[..., S, E]`, v `[..., S, Ev]`, with `L <= S` when `causal` (no empty row). */
function attentionShapes(causal: boolean) {
  const n = fc.integer({ min: 1, max: 4 });
  return fc
    .tuple(fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 2 }), n, n, n, n)
    .map(([batch, l, s, e, ev]) => ({ batch, L: causal ? Math.min(l, s) : l, S: s, E: e, Ev: ev }));
}

function attentionCases(): CaseSet {
  const qkv = (causal: boolean) =>
    attentionShapes(causal).chain(({ batch, L, S, E, Ev }) =>
      fc.tuple(
        fc.tuple(values([...batch, L, E]), values([...batch, S, E]), values([...batch, S, Ev])),
        fc.constant({ L, S }),
      ),
    );
  /** `options` draws a factory, so each forward (gradcheck runs many) gets fresh options (a fresh generator). */
  const trial = (options: (L: number, S: number) => fc.Arbitrary<() => A.AttentionOptions>, causal = false) =>
    qkv(causal).chain(([inputs, { L, S }]) =>
      options(L, S).map(
        (make): Trial => ({ inputs, fn: (q, k, v) => A.scaledDotProductAttention(q, k, v, make()) }),
      ),
    );
  // A bool mask whose first column is always true, so no query row is fully masked.
  const keep = (L: number, S: number) =>
    boolMask([L, S]).map((m) => {
      const d = (m.data() as Uint8Array).slice();
      for (let i = 0; i < L; i++) d[i * S] = 1;
      return tensor(d, { dtype: 'bool', shape: [L, S] });
    });
  return {
    'no mask, L != S': trial(() => fc.constant(() => ({}))),
    'causal (bottom-right aligned, L <= S)': trial(() => fc.constant(() => ({ causal: true })), true),
    'bool mask': trial((L, S) => keep(L, S).map((mask) => () => ({ mask }))),
    'float mask and custom scale': trial((L, S) =>
      values([L, S]).map((mask) => () => ({ mask, scale: 0.7 })),
    ),
    'causal and a per-batch bool mask': qkv(true).chain(([inputs, { L, S }]) => {
      const batch = inputs[0]!.shape.slice(0, -2);
      return fc.array(keep(L, S), { minLength: 2, maxLength: 2 }).map(
        ([m0, m1]): Trial => ({
          inputs,
          // the batch entries alternate between two masks, so the mask varies over the batch
          fn: (q, k, v) =>
            A.scaledDotProductAttention(q, k, v, {
              causal: true,
              mask: batch.length ? stack([m0!, m1!]).narrow(0, 0, batch.at(-1)!) : m0!,
            }),
        }),
      );
    }),
    'grouped-query heads (k, v broadcast over a trailing batch dim)': fc
      .tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 2, max: 3 }), fc.integer({ min: 1, max: 4 }))
      .chain(([kv, g, S]) =>
        fc.tuple(values([kv, g, S, 2]), values([kv, 1, S, 2]), values([kv, 1, S, 3]), fc.boolean()).map(
          ([q, k, v, causal]): Trial => ({
            inputs: [q, k, v],
            fn: (a, b, c) => A.scaledDotProductAttention(a, b, c, { causal }),
          }),
        ),
      ),
    'dropout with a fixed generator': trial(() =>
      fc
        .integer({ min: 0, max: 1000 })
        .map((seed) => () => ({ dropout: 0.3, generator: new Generator(seed) })),
    ),
  };
}

/** Gradient checks of the fused and composite ops (ops/nn.ts). */
export const nnCases = {
  softmax: softmaxLike((x, dim) => A.softmax(x, dim)),
  logSoftmax: softmaxLike((x, dim) => x.logSoftmax(dim)),
  crossEntropy: crossEntropyCases(),
  layerNorm: normCases((x, w, b) => A.layerNorm(x, w, b), true, values),
  rmsNorm: normCases(
    (x, w) => A.rmsNorm(x, w),
    false,
    (s) => awayFromZero(s, 0.2),
  ),
  dropout: {
    'fixed generator': fc
      .tuple(smallShape(), fc.double({ min: 0.1, max: 0.6, noNaN: true }), fc.integer({ min: 0, max: 1000 }))
      .chain(([shape, p, seed]) =>
        values(shape).map(
          (x): Trial => ({ inputs: [x], fn: (v) => A.dropout(v, p, { generator: new Generator(seed) }) }),
        ),
      ),
    'evaluation mode (identity)': smallShape().chain((shape) =>
      values(shape).map(
        (x): Trial => ({ inputs: [x], fn: (v) => A.dropout(v, 0.5, { training: false }).mul(2) }),
      ),
    ),
  },
  linear: {
    'with and without bias': fc
      .tuple(
        smallShape({ maxRank: 2 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
      )
      .chain(([lead, fin, fout, bias]) =>
        fc.tuple(values([...lead, fin]), values([fout, fin]), values([fout])).map(
          ([x, w, b]): Trial => ({
            inputs: bias ? [x, w, b] : [x, w],
            fn: (vx, vw, vb) => A.linear(vx, vw, vb ?? null),
          }),
        ),
      ),
  },
  embedding: {
    'repeated ids of any shape': fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), smallShape({ maxRank: 2 }))
      .chain(([vocab, dim, idShape]) =>
        fc
          .tuple(values([vocab, dim]), indices(idShape, vocab))
          .map(([w, ids]): Trial => ({ inputs: [w], fn: (v) => A.embedding(v, ids) })),
      ),
  },
  scaledDotProductAttention: attentionCases(),
} satisfies Record<string, CaseSet>;
