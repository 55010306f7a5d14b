import type { UnaryGradOp } from '../backend.js';
import type { GPUKernels } from './kernels.js';
import { bindArg, perElementMainWGSL, runShader, WORKGROUP } from './rows-wgsl.js';
import type { WebGPURuntime } from './runtime.js';

/**
 * WGSL `erfc(x)` with a relative error below 1.2e-7 everywhere, tails included (the Chebyshev fit of
 * Numerical Recipes §6.2, as the reference's `erfcFast`): WGSL has no error function.
 */
const ERFC_WGSL = `fn erfc(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let tail = t * exp(-z * z + poly);
  return select(2.0 - tail, tail, x >= 0.0);
}`;

/**
 * WGSL `gaussian(v) = e^(−v²/2)` to float32 accuracy: WGSL's `exp` may err by 3 + 2·|x| ulp (about
 * 40 ulp in the gelu derivative's tail, |v| ≈ 9), and rounding `v²` alone costs 2e-6 there. `v` is
 * split into `vh` (its top 12 significant bits, so `vh²/2` is exact) and `vl`; `e^(−vh²/2)` is reduced
 * by Cody–Waite (`ln 2` in two parts, the first subtraction exact) to `|r| ≤ ln2/2` and evaluated by
 * its degree-7 Taylor polynomial (truncation below 6e-9); the rest `c = −(vh·vl + vl²/2)`, |c| < 0.03,
 * multiplies as `e^c` by a cubic. Past |v| = 13 the result is subnormal, where plain `exp` does as well.
 */
const GAUSSIAN_WGSL = `fn gaussian(v: f32) -> f32 {
  if (!(abs(v) < 13.0)) { return exp(-0.5 * v * v); }
  let vh = bitcast<f32>(bitcast<u32>(v) & 0xfffff000u);
  let vl = v - vh;
  let y = -0.5 * vh * vh;
  let c = -(vh * vl + 0.5 * vl * vl);
  let k = round(y * 1.4426950408889634);
  let r = (y - k * 0.693145751953125) - k * 1.428606765330187e-6;
  let p = 1.0 + r * (1.0 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664
    + r * (0.008333333333333333 + r * (0.001388888888888889 + r * 0.0001984126984126984))))));
  let q = 1.0 + c * (1.0 + c * (0.5 + c * 0.16666666666666666));
  return ldexp(p * q, i32(k));
}`;

/**
 * WGSL `logistic(v)`: with `e = exp(−|v|)` (never overflowing), `σ(v)` and `1 − σ(v) = σ(−v)`, each
 * accurate in its tail (`1 − σ` is not computed by cancellation).
 */
const LOGISTIC_WGSL = `fn logistic(v: f32) -> vec2f {
  let e = exp(-abs(v));
  let positive = v >= 0.0;
  return vec2f(select(e, 1.0, positive), select(1.0, e, positive)) / (1.0 + e);
}`;

/**
 * WGSL of each activation's backward: statements computing `dx[i] = g·f'(v)` from `v = x[i]` and
 * `g = dy[i]`, and the helpers they call. `tanh` goes through `e = exp(−2|u|)`: `1 − tanh²(u) =
 * 4e/(1+e)²` and `(1 + tanh u)/2 = σ(2u)` without cancellation, and without WGSL's `tanh`, whose
 * accuracy is only that of `sinh/cosh` (NaN past their overflow on some GPUs).
 */
const BACKWARDS: Record<UnaryGradOp, { helpers: string; body: string }> = {
  // d/dv v·Φ(v) = Φ(v) + v·φ(v), Φ(v) = erfc(−v/√2)/2
  gelu: {
    helpers: `${ERFC_WGSL}\n${GAUSSIAN_WGSL}`,
    body: 'dx[i] = g * (0.5 * erfc(-v * 0.7071067811865476) + v * 0.3989422804014327 * gaussian(v));',
  },
  geluTanh: {
    helpers: '',
    body: `let c = 0.7978845608028654; // √(2/π)
  let u = c * (v + 0.044715 * v * v * v);
  let e = exp(-2.0 * abs(u));
  let halfOnePlusTanh = select(e, 1.0, u >= 0.0) / (1.0 + e);
  let sech2 = 4.0 * e / ((1.0 + e) * (1.0 + e));
  // 0.5·v·sech²(u)·du/dv with du/dv = c·(1 + 3·0.044715·v²), multiplied so that v² never overflows
  // where sech² is 0 (|v| past 1.8e19): w = 0 there, and NaN for v = ±∞, as the reference
  let w = v * sech2;
  dx[i] = g * (halfOnePlusTanh + 0.5 * c * (w + 3.0 * 0.044715 * w * v * v));`,
  },
  silu: { helpers: LOGISTIC_WGSL, body: 'let s = logistic(v);\n  dx[i] = g * s.x * (1.0 + v * s.y);' },
  // dy itself where x > 0 (a NaN or infinite dy too) and 0 elsewhere, as the reference
  relu: { helpers: '', body: 'dx[i] = select(0.0, g, v > 0.0);' },
  sigmoid: { helpers: LOGISTIC_WGSL, body: 'let s = logistic(v);\n  dx[i] = g * (s.x * s.y);' },
  tanh: {
    helpers: '',
    body: 'let e = exp(-2.0 * abs(v));\n  dx[i] = g * (4.0 * e / ((1.0 + e) * (1.0 + e)));',
  },
};

/** Activation derivatives in WGSL: `dx = dy·f'(x)`, one thread per element. */
export function activationKernels(rt: WebGPURuntime): Pick<GPUKernels, 'unaryBackward'> {
  return {
    unaryBackward(op, x, dy, dx) {
      const backward = BACKWARDS[op];
      if (!backward) throw new Error(`webgpu unaryBackward: unknown op '${String(op)}'`);
      const count = x.length;
      const buffers = [
        bindArg('unaryBackward', 'x', x, 'float32', count),
        bindArg('unaryBackward', 'dy', dy, 'float32', count),
        bindArg('unaryBackward', 'dx', dx, 'float32', count, true),
      ];
      if (count === 0) return;
      runShader(rt, {
        buffers,
        params: { count: ['u32', count] },
        body: `${backward.helpers}
${perElementMainWGSL('count', `  let v = x[i];\n  let g = dy[i];\n  ${backward.body}`)}`,
        workgroups: rt.grid(count, WORKGROUP),
      });
    },
  };
}
