import { beforeAll, describe, expect, it } from 'vitest';
import { registerBackend } from '../../backend/registry.js';
import type { DType } from '../../dtype.js';
import { jsBackend } from '../../internal/index.js';
import { Generator } from '../../random/generator.js';
import type { Tensor } from '../../tensor.js';
import { assertClose, errorOf, withBackend, withoutFusedKernels } from '../../testing/index.js';
import { tensor, zeros } from '../creation.js';
import { rand, randint, randn } from '../random.js';
import { unaryBackward } from './activation-backward.js';
import { adamwStep } from './adamw.js';
import { scaledDotProductAttentionBackward, scaledDotProductAttentionForward } from './attention.js';
import type { AttentionKernelOptions } from './attention-layout.js';
import { attentionSoftmaxBackward, attentionSoftmaxForward } from './attention-softmax.js';
import { crossEntropyBackward, crossEntropyForward } from './cross-entropy.js';
import { layerNormBackward, layerNormForward, rmsNormBackward, rmsNormForward } from './norm.js';
import { logSoftmaxBackward, softmaxBackward, softmaxLastDim } from './softmax.js';

/**
 * Every fused function's default (composed from primitive ops) against the JS backend's fused kernel
 * on the same seeded inputs. In float64 both compute in double precision and differ only in the order
 * of their sums and in intermediate roundings, so they agree to ~1e-15 relative per operation; 1e-10
 * leaves room for a few dozen operations and cancellation in differences of nearby values (the
 * centred rows of a norm, `softmax − onehot`). In float32 the defaults round after every op where the
 * kernels round once: 1e-5 is ~100 float32 ulps.
 */
const TOLERANCE = { float64: { rtol: 1e-10, atol: 1e-12 }, float32: { rtol: 1e-5, atol: 1e-6 } } as const;

const PRIMITIVES = 'primitives-only';
/** The JS backend without any fused kernel, not even `softmax`: every default runs. */
const BARE = 'bare-primitives';

beforeAll(() => {
  registerBackend(withoutFusedKernels(jsBackend, PRIMITIVES));
  registerBackend({ ...withoutFusedKernels(jsBackend, BARE), softmax: undefined as never });
});

/** `fn` on the fused kernels (js) and on the defaults; compares every tensor it returns. */
function expectDefaultMatches(dtype: 'float32' | 'float64', fn: () => Record<string, Tensor | null>): void {
  const fused = withBackend('js', fn);
  const composed = withBackend(BARE, fn);
  for (const [name, want] of Object.entries(fused)) {
    const got = composed[name];
    if (want === null) {
      expect(got, name).toBeNull();
      continue;
    }
    expect(got, name).not.toBeNull();
    expect(got!.dtype, name).toBe(want.dtype);
    try {
      assertClose(got!, want, TOLERANCE[dtype]);
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`);
    }
  }
}

const DTYPES = ['float64', 'float32'] as const;

function seeded(seed: number) {
  const generator = new Generator(seed);
  return {
    normal: (shape: number[], dtype: DType = 'float64') => randn(shape, { generator, dtype }),
    uniform: (shape: number[], low: number, high: number, dtype: DType = 'float64') =>
      rand(shape, { generator, dtype, low, high }),
    ints: (low: number, high: number, shape: number[]) => randint(low, high, shape, { generator }),
  };
}

describe.each(DTYPES)('fused defaults against the JS kernels (%s)', (dtype) => {
  it('layer norm and RMS norm, forward and backward, with and without parameters, strided input', () => {
    const r = seeded(1);
    const x = r.normal([3, 7, 5], dtype).transpose(1, 2).mul(3).add(1); // [3, 5, 7], strided
    const w = r.normal([7], dtype);
    const b = r.normal([7], dtype);
    const dy = r.normal([3, 5, 7], dtype);
    for (const [weight, bias] of [
      [null, null],
      [w, null],
      [w, b],
    ] as const) {
      expectDefaultMatches(dtype, () => {
        const ln = layerNormForward(x, weight, bias, 1e-5);
        const rms = rmsNormForward(x, weight, 1e-6);
        const lnGrads = layerNormBackward(dy, x, ln.mean, ln.rstd, weight, { bias: true });
        const rmsGrads = rmsNormBackward(dy, x, rms.rstd, weight);
        return {
          ...ln,
          rmsOut: rms.out,
          rmsRstd: rms.rstd,
          dx: lnGrads.dx,
          dweight: lnGrads.dweight,
          dbias: lnGrads.dbias,
          rmsDx: rmsGrads.dx,
          rmsDweight: rmsGrads.dweight,
        };
      });
    }
  });

  it('cross-entropy with ignored rows, label smoothing, a custom ignore index and both scales', () => {
    const r = seeded(2);
    const logits = r.normal([8, 6], dtype).mul(2);
    const targets = tensor([0, 5, -100, 3, 3, 1, -100, 2], { dtype: 'int32' });
    const custom = tensor([0, 5, 7, 3, 7, 1, 4, 2], { dtype: 'int32' });
    const rowScale = r.normal([8], dtype);
    for (const labelSmoothing of [0, 0.1]) {
      expectDefaultMatches(dtype, () => {
        const options = { labelSmoothing };
        const { losses, lse } = crossEntropyForward(logits, targets, options);
        const customOptions = { labelSmoothing, ignoreIndex: 7 };
        const custom7 = crossEntropyForward(logits, custom, customOptions);
        return {
          losses,
          lse,
          dMean: crossEntropyBackward(logits, targets, lse, 1 / 6, options),
          dRows: crossEntropyBackward(logits, targets, lse, rowScale, options),
          customLosses: custom7.losses,
          dCustom: crossEntropyBackward(logits, custom, custom7.lse, 0.5, customOptions),
        };
      });
    }
  });

  it('cross-entropy rejects a target outside the classes on both paths alike', () => {
    const logits = zeros([3, 4], { dtype });
    const targets = tensor([1, 4, 0], { dtype: 'int32' });
    const expected = 'crossEntropy: target 4 at row 1 is outside [0, 4)';
    expect(withBackend('js', () => errorOf(() => crossEntropyForward(logits, targets)).message)).toBe(
      expected,
    );
    expect(withBackend(BARE, () => errorOf(() => crossEntropyForward(logits, targets)).message)).toBe(
      expected,
    );
  });

  it('softmax and log-softmax, forward and backward along any dim', () => {
    const r = seeded(3);
    const x = r.normal([3, 4, 5], dtype).mul(3);
    const masked = x.maskedFill(tensor([true, false, false, false, false]), Number.NEGATIVE_INFINITY);
    const dy = r.normal([3, 4, 5], dtype);
    expectDefaultMatches(dtype, () => {
      const y = softmaxLastDim('test', masked, false);
      const logY = softmaxLastDim('test', masked, true);
      return {
        y,
        logY,
        dx: softmaxBackward(dy, y, -1),
        dxDim1: softmaxBackward(dy, y, 1),
        dLog: logSoftmaxBackward(dy, logY, -1),
        dLogDim0: logSoftmaxBackward(dy, logY, 0),
      };
    });
  });

  it('attention softmax: causal (square and with a cache), plain, and a query that sees no key', () => {
    const r = seeded(4);
    for (const [L, S, causal] of [
      [5, 5, true],
      [3, 6, true],
      [4, 6, false],
      [4, 2, true], // queries 0 and 1 see no key: NaN rows
    ] as const) {
      const x = r.normal([2, 3, L, S], dtype);
      const dy = r.normal([2, 3, L, S], dtype);
      expectDefaultMatches(dtype, () => {
        const y = attentionSoftmaxForward(x, 0.37, causal);
        return { y, dx: attentionSoftmaxBackward(dy, y, 0.37) };
      });
    }
  });

  it('unaryBackward of every activation (relu at 0 included)', () => {
    const r = seeded(5);
    const x = r
      .normal([40], dtype)
      .mul(3)
      .maskedFill(tensor(Array.from({ length: 40 }, (_, i) => i % 9 === 0)), 0);
    const dy = r.normal([40], dtype);
    expectDefaultMatches(dtype, () => ({
      gelu: unaryBackward('gelu', dy, x),
      geluTanh: unaryBackward('geluTanh', dy, x),
      silu: unaryBackward('silu', dy, x),
      relu: unaryBackward('relu', dy, x),
      sigmoid: unaryBackward('sigmoid', dy, x),
      tanh: unaryBackward('tanh', dy, x),
    }));
  });

  it('adamwStep: three steps update param and moments in place', () => {
    const r = seeded(6);
    const start = r.normal([4, 5], dtype);
    const grads = [r.normal([4, 5], dtype), r.normal([20], dtype), r.normal([4, 5], dtype).transpose()];
    expectDefaultMatches(dtype, () => {
      const param = start.clone();
      const m = zeros([4, 5], { dtype });
      const v = zeros([4, 5], { dtype });
      grads.forEach((grad, i) => {
        adamwStep(param, grad, m, v, {
          lr: 0.01,
          betas: [0.9, 0.99],
          eps: 1e-8,
          weightDecay: 0.1,
          step: i + 1,
        });
      });
      return { param, m, v };
    });
  });
});

/** Forward and backward of attention on `q`, `k`, `v` with `options`, every result by name. */
function attentionRun(q: Tensor, k: Tensor, v: Tensor, dout: Tensor, options: AttentionKernelOptions) {
  const { out, lse } = scaledDotProductAttentionForward(q, k, v, options);
  return { out, lse, ...scaledDotProductAttentionBackward(dout, q, k, v, out, lse, options) };
}

describe.each(DTYPES)('fused attention default against the JS kernels (%s)', (dtype) => {
  const r = seeded(7);
  const qkv = (
    qBatch: number[],
    kBatch: number[],
    L: number,
    S: number,
    options: AttentionKernelOptions = {},
  ) =>
    [
      r.normal([...qBatch, L, 5], dtype),
      r.normal([...kBatch, S, 5], dtype),
      r.normal([...kBatch, S, 3], dtype),
      options,
    ] as const;
  const cases: [string, () => readonly [Tensor, Tensor, Tensor, AttentionKernelOptions]][] = [
    ['plain', () => qkv([2, 3], [2, 3], 4, 6)],
    ['causal', () => qkv([2, 2], [2, 2], 5, 5, { causal: true })],
    ['causal with a cache (L < S)', () => qkv([2], [2], 3, 7, { causal: true, scale: 0.3 })],
    ['grouped heads (k, v [B, nKV, 1, S, E])', () => qkv([2, 2, 3], [2, 2, 1], 4, 6, { causal: true })],
    ['k and v broadcast over a leading dim (read expanded, gradients summed)', () => qkv([2, 3], [3], 4, 6)],
    [
      'bool padding mask per batch entry, one query seeing no key',
      () => {
        const mask = tensor([[[[true, true, false, false]]], [[[false, false, false, true]]]]);
        return qkv([2, 2], [2, 2], 3, 4, { mask, causal: true });
      },
    ],
    [
      'q broadcast over a leading dim (dq summed), float mask per batch entry',
      () => qkv([1, 2], [3, 2], 3, 4, { mask: r.normal([3, 1, 3, 4], dtype) }),
    ],
    [
      'transposed q and k views',
      () => {
        const q = r.normal([2, 5, 4], dtype).transpose(-2, -1);
        const k = r.normal([2, 5, 6], dtype).transpose(-2, -1);
        return [q, k, r.normal([2, 6, 3], dtype), { causal: true }] as const;
      },
    ],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const [q, k, v, options] = make();
      const probe = withBackend('js', () => scaledDotProductAttentionForward(q, k, v, options).out);
      const dout = r.normal([...probe.shape], dtype);
      expectDefaultMatches(dtype, () => attentionRun(q, k, v, dout, options));
    });
  }
});

describe('fused functions on a backend with the primitives and softmax', () => {
  it('run their defaults, which call the softmax kernel', () => {
    const x = seeded(8).normal([2, 4, 4]);
    const withKernel = withBackend(PRIMITIVES, () => attentionSoftmaxForward(x, 0.5, true));
    assertClose(
      withKernel,
      withBackend(BARE, () => attentionSoftmaxForward(x, 0.5, true)),
      TOLERANCE.float64,
    );
  });
});
