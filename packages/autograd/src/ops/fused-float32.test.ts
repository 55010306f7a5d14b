import { arange, Generator, randint, randn, type Tensor } from '@proj/tensor';
import { backendNames, maxAbsDiff, withBackend } from '@proj/tensor/testing';
import { describe, expect, it } from 'vitest';
import * as A from '../index.js';
import type { Variable } from '../variable.js';

// The fused ops run on the backend's float32 kernels (WASM SIMD where available); the reference is
// the same function composed from primitive ops in float64 (the JS reference kernels).

const g = new Generator(7);
const x3 = randn([3, 5, 37], { generator: g, dtype: 'float64' });
const w37 = randn([37], { generator: g, dtype: 'float64' });
const b37 = randn([37], { generator: g, dtype: 'float64' });
const dOut = (shape: readonly number[]) => randn(shape, { generator: new Generator(3), dtype: 'float64' });

/** Value and input gradients of `fn` at leaves of `inputs` cast to `dtype`, for a fixed random cotangent. */
function run(fn: (...xs: Variable[]) => Variable, inputs: Tensor[], dtype: 'float32' | 'float64') {
  const leaves = inputs.map((t) => A.variable(t.to(dtype), { requiresGrad: true }));
  const out = fn(...leaves);
  out.backward(dOut(out.shape).to(dtype));
  return { value: out.data, grads: leaves.map((l) => l.grad!) };
}

/** float32 fused `fused` on every backend agrees with float64 `composed` within `tol`. */
function expectFloat32Close(
  fused: (...xs: Variable[]) => Variable,
  composed: (...xs: Variable[]) => Variable,
  inputs: Tensor[],
  tol = 2e-5,
): void {
  const ref = run(composed, inputs, 'float64');
  for (const backend of backendNames()) {
    const got = withBackend(backend, () => run(fused, inputs, 'float32'));
    expect(got.value.dtype).toBe('float32');
    expect(maxAbsDiff(got.value, ref.value), `${backend} value`).toBeLessThan(tol);
    got.grads.forEach((gr, i) => {
      expect(gr.dtype).toBe('float32');
      expect(maxAbsDiff(gr, ref.grads[i]!), `${backend} grad ${i}`).toBeLessThan(tol);
    });
  }
}

const composedSoftmax = (v: Variable, dim: number) => v.sub(v.logsumexp(dim, { keepdim: true })).exp();

describe('fused ops in float32 on every backend match their float64 composition', () => {
  it('softmax and logSoftmax, last and middle axis', () => {
    for (const dim of [-1, 1]) {
      expectFloat32Close(
        (v) => A.softmax(v, dim),
        (v) => composedSoftmax(v, dim),
        [x3],
      );
      expectFloat32Close(
        (v) => A.logSoftmax(v, dim),
        (v) => v.sub(v.logsumexp(dim, { keepdim: true })),
        [x3],
      );
    }
  });

  it('crossEntropy with ignoreIndex, label smoothing and every reduction', () => {
    const targets = randint(0, 37, [15], { generator: g });
    const t = targets.data() as Int32Array;
    t[3] = -100;
    t[9] = -100;
    const keep = targets.ne(-100);
    const safe = A.where(keep, targets, 0).data.to('int32').unsqueeze(1);
    const logits = x3.reshape([15, 37]).mul(2);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      expectFloat32Close(
        (v) => A.crossEntropy(v, targets, { reduction, labelSmoothing: 0.1 }),
        (v) => {
          const lp = v.sub(v.logsumexp(-1, { keepdim: true }));
          const nll = A.gather(lp, 1, safe).squeeze(1).neg();
          const rows = A.where(keep, nll.mul(0.9).add(lp.mean(-1).neg().mul(0.1)), 0);
          return reduction === 'none' ? rows : reduction === 'sum' ? rows.sum() : rows.sum().div(13);
        },
        [logits],
        1e-4,
      );
    }
  });

  it('layerNorm (with and without parameters) and rmsNorm', () => {
    const centred = (v: Variable) => v.sub(v.mean(-1, { keepdim: true }));
    const ln = (v: Variable) =>
      centred(v).div(centred(v).square().mean(-1, { keepdim: true }).add(1e-5).sqrt());
    expectFloat32Close(
      (v, w, b) => A.layerNorm(v, w, b),
      (v, w, b) => ln(v).mul(w!).add(b!),
      [x3, w37, b37],
      1e-4,
    );
    expectFloat32Close((v) => A.layerNorm(v), ln, [x3], 1e-4);
    expectFloat32Close(
      (v, w) => A.rmsNorm(v, w),
      (v, w) => v.div(v.square().mean(-1, { keepdim: true }).add(1e-6).sqrt()).mul(w!),
      [x3, w37],
      1e-4,
    );
  });

  it('activation gradients: gelu (exact and tanh), tanh, sigmoid, silu, relu', () => {
    const cdf = (v: Variable) => v.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
    const inner = (v: Variable) => v.add(v.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    const cases: [(v: Variable) => Variable, (v: Variable) => Variable][] = [
      [(v) => A.gelu(v), (v) => v.mul(cdf(v))],
      [(v) => A.gelu(v, { approximate: 'tanh' }), (v) => v.mul(inner(v).tanh().add(1)).mul(0.5)],
      [A.tanh, (v) => v.mul(2).exp().sub(1).div(v.mul(2).exp().add(1))],
      [A.sigmoid, (v) => v.neg().exp().add(1).reciprocal()],
      [A.silu, (v) => v.div(v.neg().exp().add(1))],
      [A.relu, (v) => A.where(v.data.gt(0), v, 0)],
    ];
    for (const [fused, composed] of cases) expectFloat32Close(fused, composed, [x3.mul(2)]);
  });

  it('causal and plain scaled dot-product attention', () => {
    const q = randn([2, 3, 9, 8], { generator: g, dtype: 'float64' });
    const k = randn([2, 3, 11, 8], { generator: g, dtype: 'float64' });
    const v = randn([2, 3, 11, 5], { generator: g, dtype: 'float64' });
    for (const causal of [false, true]) {
      expectFloat32Close(
        (a, b, c) => A.scaledDotProductAttention(a, b, c, { causal, scale: 0.4 }),
        (a, b, c) => {
          let s = a.matmul(b.transpose()).mul(0.4);
          if (causal) s = s.maskedFill(A.causalMask(9, 11), Number.NEGATIVE_INFINITY);
          return composedSoftmax(s, -1).matmul(c);
        },
        [q, k, v],
        1e-4,
      );
    }
  });

  it('grouped-query attention (k, v broadcast over the group) with a key-padding mask', () => {
    const q = randn([2, 2, 3, 7, 8], { generator: g, dtype: 'float64' });
    const k = randn([2, 2, 1, 7, 8], { generator: g, dtype: 'float64' });
    const v = randn([2, 2, 1, 7, 4], { generator: g, dtype: 'float64' });
    const keep = randn([2, 1, 1, 1, 7], { generator: g }).gt(-0.8).logicalOr(arange(7).eq(0)); // key 0 always visible
    expectFloat32Close(
      (a, b, c) => A.scaledDotProductAttention(a, b, c, { causal: true, mask: keep }),
      (a, b, c) => {
        const s = a
          .matmul(b.transpose())
          .div(Math.sqrt(8))
          .maskedFill(A.causalMask(7, 7), Number.NEGATIVE_INFINITY)
          .maskedFill(keep.logicalNot(), Number.NEGATIVE_INFINITY);
        return composedSoftmax(s, -1).matmul(c);
      },
      [q, k, v],
      1e-4,
    );
  });
});
