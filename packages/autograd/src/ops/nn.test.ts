import { DTypeError, Generator, ShapeError, type Tensor, tensor } from '@proj/tensor';
import { maxAbsDiff } from '@proj/tensor/testing';
import { describe, expect, it } from 'vitest';
import {
  causalMask,
  crossEntropy,
  dropout,
  embedding,
  gather,
  layerNorm,
  linear,
  logSoftmax,
  rmsNorm,
  scaledDotProductAttention,
  softmax,
  type Variable,
  variable,
  where,
} from '../index.js';

const f64 = (data: number[], shape: number[]) => tensor(data, { dtype: 'float64', shape });
const leaf = (t: Tensor) => variable(t, { requiresGrad: true });

/** Value and gradients of `fn` at fresh leaves of `inputs`. */
function valueAndGrads(fn: (...xs: Variable[]) => Variable, inputs: Tensor[]): [Tensor, Tensor[]] {
  const xs = inputs.map(leaf);
  const out = fn(...xs);
  out.sum().backward();
  return [out.data, xs.map((x) => x.grad!)];
}

/** The fused op and its composition from primitive ops agree in value and gradient. */
function expectSameAsComposed(
  fused: (...xs: Variable[]) => Variable,
  composed: (...xs: Variable[]) => Variable,
  inputs: Tensor[],
): void {
  const [a, ga] = valueAndGrads(fused, inputs);
  const [b, gb] = valueAndGrads(composed, inputs);
  expect(a.shape).toEqual(b.shape);
  expect(maxAbsDiff(a, b)).toBeLessThan(1e-12);
  ga.forEach((g, i) => expect(maxAbsDiff(g, gb[i]!)).toBeLessThan(1e-12));
}

const logits = f64([1, -2, 0.5, 3, 0, 0, 2, 1, -1, 0.3, 0.2, 0.1], [4, 3]);

describe('crossEntropy', () => {
  it('is -log softmax[target] averaged over rows (hand-computed)', () => {
    const loss = crossEntropy(
      variable(f64([0, 0, Math.log(2), 0], [2, 2])),
      tensor([0, 0], { dtype: 'int32' }),
    );
    // row 0: -log(1/2); row 1: -log(2/3)
    expect(loss.item()).toBeCloseTo((Math.log(2) + Math.log(3 / 2)) / 2, 14);
  });

  for (const reduction of ['mean', 'sum', 'none'] as const) {
    it(`matches its composition from logSoftmax, gather and where (${reduction}, ignoreIndex, labelSmoothing)`, () => {
      const targets = tensor([2, -100, 0, 1], { dtype: 'int32' });
      const keep = targets.ne(-100);
      const safe = tensor([2, 0, 0, 1], { dtype: 'int32' }).unsqueeze(1);
      const eps = 0.2;
      expectSameAsComposed(
        (x) => crossEntropy(x, targets, { reduction, labelSmoothing: eps }),
        (x) => {
          const lp = logSoftmax(x, -1);
          const nll = gather(lp, 1, safe).squeeze(1).neg();
          const smooth = lp.mean(-1).neg();
          const rows = where(keep, nll.mul(1 - eps).add(smooth.mul(eps)), 0);
          return reduction === 'none' ? rows : reduction === 'sum' ? rows.sum() : rows.sum().div(3);
        },
        [logits],
      );
    });
  }

  it('accepts logits with several leading axes and an unbatched [C] row', () => {
    const x = variable(logits.reshape([2, 2, 3]));
    expect(
      crossEntropy(
        x,
        tensor(
          [
            [0, 1],
            [2, 0],
          ],
          { dtype: 'int32' },
        ),
        { reduction: 'none' },
      ).shape,
    ).toEqual([2, 2]);
    expect(crossEntropy(variable(f64([0, 0], [2])), tensor(1, { dtype: 'int32' })).item()).toBeCloseTo(
      Math.log(2),
      14,
    );
  });

  it('names the problem: target dtype, shapes, out-of-range class', () => {
    const x = variable(logits);
    expect(() => crossEntropy(x, tensor([0, 1, 2, 0], { dtype: 'float32' }))).toThrow(DTypeError);
    expect(() => crossEntropy(x, tensor([0, 1], { dtype: 'int32' }))).toThrow(
      new ShapeError('crossEntropy: targets [2] must match logits [4, 3] without the class axis'),
    );
    expect(() => crossEntropy(x, tensor([0, 1, 3, 0], { dtype: 'int32' }))).toThrow(
      /target 3 at row 2 is outside \[0, 3\)/,
    );
  });
});

describe('layerNorm and rmsNorm', () => {
  const x = f64([1, 2, 4, -1, 0.5, 3, 2, 2.5], [2, 4]);
  const w = f64([1.5, -0.5, 1, 2], [4]);
  const b = f64([0.1, 0.2, -0.3, 0], [4]);

  it('layerNorm matches (x − mean) / sqrt(var + eps) · w + b built from primitives', () => {
    expectSameAsComposed(
      (v, vw, vb) => layerNorm(v, vw, vb, 1e-5),
      (v, vw, vb) => {
        const centred = v.sub(v.mean(-1, { keepdim: true }));
        const std = v.var(-1, { keepdim: true, correction: 0 }).add(1e-5).sqrt();
        return centred.div(std).mul(vw!).add(vb!);
      },
      [x, w, b],
    );
  });

  it('rmsNorm matches x / sqrt(mean(x²) + eps) · w built from primitives', () => {
    expectSameAsComposed(
      (v, vw) => rmsNorm(v, vw, 1e-6),
      (v, vw) => v.div(v.square().mean(-1, { keepdim: true }).add(1e-6).sqrt()).mul(vw!),
      [x, w],
    );
  });

  it('rejects parameters that do not match the last axis', () => {
    expect(() => layerNorm(variable(x), variable(f64([1, 2], [2])))).toThrow(
      /layerNorm: weight \[2\] must be \[4\] for input \[2, 4\]/,
    );
  });
});

describe('softmax and logSoftmax', () => {
  it('softmax along any axis sums to one and logSoftmax is its log', () => {
    const x = variable(logits.reshape([2, 2, 3]));
    for (const dim of [0, 1, -1]) {
      const s = softmax(x, dim);
      expect(
        maxAbsDiff(s.sum(dim).data, tensor(1, { dtype: 'float64' }).expand(s.sum(dim).shape)),
      ).toBeLessThan(1e-15);
      expect(maxAbsDiff(logSoftmax(x, dim).data, s.data.log())).toBeLessThan(1e-15);
    }
  });
});

describe('scaledDotProductAttention', () => {
  const q = f64([0.1, 0.2, -0.3, 0.4, 0.5, -0.6], [2, 3]);
  const k = f64([1, 0, 0, 1, 1, 1, -1, 0.5, 0.2, 0.3, -0.2, 0.1], [4, 3]);
  const v = f64([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);

  it('matches softmax(q·kᵀ/sqrt(E) + mask)·v built from primitives', () => {
    const mask = tensor([
      [true, false, true, true],
      [false, true, true, false],
    ]);
    expectSameAsComposed(
      (a, b, c) => scaledDotProductAttention(a, b, c, { mask }),
      (a, b, c) =>
        softmax(a.matmul(b.transpose()).div(Math.sqrt(3)).maskedFill(mask.logicalNot(), -Infinity)).matmul(c),
      [q, k, v],
    );
  });

  it('causal masks are bottom-right aligned: the last query sees every key', () => {
    expect(causalMask(2, 4).toArray()).toEqual([
      [false, false, false, true],
      [false, false, false, false],
    ]);
    const out = scaledDotProductAttention(variable(q), variable(k), variable(v), { causal: true });
    const explicit = scaledDotProductAttention(variable(q), variable(k), variable(v), {
      mask: causalMask(2, 4).logicalNot(),
    });
    // the fused causal kernel and the composed bool-mask path round differently
    expect(maxAbsDiff(out.data, explicit.data)).toBeLessThan(1e-12);
  });

  it('the fused causal/scaled softmax matches its composition in value and gradient', () => {
    for (const scale of [undefined, 0.7]) {
      expectSameAsComposed(
        (a, b, c) => scaledDotProductAttention(a, b, c, { causal: true, ...(scale ? { scale } : {}) }),
        (a, b, c) =>
          softmax(
            a
              .matmul(b.transpose())
              .mul(scale ?? 1 / Math.sqrt(3))
              .maskedFill(causalMask(2, 4), -Infinity),
          ).matmul(c),
        [q, k, v],
      );
    }
  });

  it('grouped-query keys/values broadcast over the group equal their explicit copies', () => {
    const q4 = f64(
      Array.from({ length: 2 * 3 * 2 * 3 }, (_, i) => Math.sin(i)),
      [2, 3, 2, 3],
    );
    const k4 = f64(
      Array.from({ length: 2 * 1 * 4 * 3 }, (_, i) => Math.cos(i)),
      [2, 1, 4, 3],
    );
    const v4 = f64(
      Array.from({ length: 2 * 1 * 4 * 2 }, (_, i) => Math.sin(3 * i)),
      [2, 1, 4, 2],
    );
    const grouped = scaledDotProductAttention(variable(q4), variable(k4), variable(v4), { causal: true });
    const copied = scaledDotProductAttention(
      variable(q4),
      variable(k4.expand([2, 3, 4, 3]).contiguous()),
      variable(v4.expand([2, 3, 4, 2]).contiguous()),
      { causal: true },
    );
    expect(maxAbsDiff(grouped.data, copied.data)).toBeLessThan(1e-15);
  });

  it('a mask must broadcast to the scores [..., L, S] (it does not add batch dims)', () => {
    const masks = tensor([true, false, true, true]).expand([3, 2, 4]);
    expect(() => scaledDotProductAttention(variable(q), variable(k), variable(v), { mask: masks })).toThrow(
      ShapeError,
    );
  });

  it('names the shapes when the last dims do not fit', () => {
    expect(() => scaledDotProductAttention(variable(q), variable(k), variable(v.narrow(0, 0, 3)))).toThrow(
      'scaledDotProductAttention: expected q [..., L, E], k [..., S, E], v [..., S, Ev]; got q=[2, 3], k=[4, 3], v=[3, 2]',
    );
  });

  it('adds a float mask to the scores', () => {
    const bias = f64([0, -1e9, 0, 0, 0, 0, -1e9, 0], [2, 4]);
    const hard = tensor([
      [true, false, true, true],
      [true, true, false, true],
    ]);
    const a = scaledDotProductAttention(variable(q), variable(k), variable(v), { mask: bias });
    const b = scaledDotProductAttention(variable(q), variable(k), variable(v), { mask: hard });
    expect(maxAbsDiff(a.data, b.data)).toBeLessThan(1e-12);
  });
});

describe('dropout', () => {
  const x = f64(
    Array.from({ length: 1000 }, (_, i) => i + 1),
    [1000],
  );

  it('zeroes about p of the entries and scales the rest by 1/(1 − p); the gradient is the same mask', () => {
    const v = leaf(x);
    const y = dropout(v, 0.25, { generator: new Generator(7) });
    y.sum().backward();
    const out = y.data.data();
    const g = v.grad!.data();
    let zeros = 0;
    out.forEach((o, i) => {
      if (o === 0) zeros++;
      else expect(o).toBeCloseTo((i + 1) / 0.75, 12);
      expect(g[i]).toBe(o === 0 ? 0 : 1 / 0.75);
    });
    expect(zeros).toBeGreaterThan(200);
    expect(zeros).toBeLessThan(300);
  });

  it('is reproducible with a seeded generator and the identity in evaluation or with p = 0', () => {
    const a = dropout(variable(x), 0.5, { generator: new Generator(3) });
    const b = dropout(variable(x), 0.5, { generator: new Generator(3) });
    expect(maxAbsDiff(a.data, b.data)).toBe(0);
    const v = variable(x);
    expect(dropout(v, 0.5, { training: false })).toBe(v);
    expect(dropout(v, 0)).toBe(v);
    expect(() => dropout(v, 1)).toThrow(RangeError);
  });
});

describe('linear and embedding', () => {
  it('linear computes x·Wᵀ + b', () => {
    const y = linear(
      variable(f64([1, 2], [1, 2])),
      variable(f64([1, 0, 2, -1, 0.5, 3], [3, 2])),
      variable(f64([0, 1, -1], [3])),
    );
    expect(y.toArray()).toEqual([[1, 1, 5.5]]); // [1·1 + 2·0, 1·2 − 2·1 + 1, 1·0.5 + 2·3 − 1]
  });

  it('embedding looks up rows and accumulates the gradient of repeated ids', () => {
    const w = leaf(f64([0, 1, 10, 11, 20, 21], [3, 2]));
    const ids = tensor(
      [
        [2, 0],
        [2, 2],
      ],
      { dtype: 'int32' },
    );
    const e = embedding(w, ids);
    expect(e.shape).toEqual([2, 2, 2]);
    expect(e.toArray()).toEqual([
      [
        [20, 21],
        [0, 1],
      ],
      [
        [20, 21],
        [20, 21],
      ],
    ]);
    e.sum().backward();
    expect(w.grad!.toArray()).toEqual([
      [1, 1],
      [0, 0],
      [3, 3],
    ]);
  });
});
