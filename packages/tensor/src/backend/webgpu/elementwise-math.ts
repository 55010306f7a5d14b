import { CLASSIFY_F32, SCALE_BY_POW2, SPECIAL_F32, SPLIT_F32, wgslFunction } from './elementwise-library.js';

/**
 * Float32 special functions in WGSL: the algorithms and minimax coefficients of the WASM kernels
 * (asm/math.wat, asm/normal-cdf.wat), so every backend rounds alike and the accuracy bounds of the
 * conformance suite hold (exp and log within ~1 ulp, erf and GELU to the absolute accuracy of
 * Abramowitz–Stegun with relative accuracy in the far tail). WGSL's own exp/log/tanh are not used:
 * their precision is left to the driver (3 + 2·|x| ulp for exp). NaN propagates (checked by bits),
 * infinities map to their limits.
 */

/**
 * `expSplit(a, b)` = e^(a+b) for a small correction b (0 for plain e^a), so a caller can pass an
 * exactly split argument; `expF32(x)`. a + b = n·ln2 + r, |r| <= ln2/2, e^r = 1 + r + r²·P(r) (P of
 * degree 5, Cephes); 2^n is applied in two steps, so subnormal results round once and
 * e^x past ln(FLT_MAX) overflows to ∞. a is clamped to [−104, 89] (e^−104 rounds to 0).
 */
export const EXP = wgslFunction(
  `
fn expSplit(a: f32, b: f32) -> f32 {
  if (isNanF32(a) || isNanF32(b)) { return a + b; }
  let c = clamp(a, -104.0, 89.0);
  let n = round((c + b) * 1.44269504088896341);
  let r = ((c - n * 0.693359375) + b) + n * 2.12194440e-4;
  let r2 = r * r;
  var y = r2 * (r * 1.9875691500e-4 + 1.3981999507e-3) + (r * 8.3334519073e-3 + 4.1665795894e-2);
  y = r2 * y + (r * 1.6666665459e-1 + 5.0000001201e-1);
  y = (y * r2 + r) + 1.0;
  return scaleByPow2(y, i32(n));
}
fn expF32(x: f32) -> f32 { return expSplit(x, 0.0); }
`,
  [CLASSIFY_F32, SCALE_BY_POW2],
);

/**
 * `logF32(x)`: x = m·2^e with m in [√½, √2), log(1 + f) by a degree-9 polynomial in f = m − 1 and
 * e·ln2 in two parts. log(±0) = −∞, log(x < 0) = NaN, log(∞) = ∞; subnormals are split exactly.
 */
export const LOG = wgslFunction(
  `
fn logF32(x: f32) -> f32 {
  if (isNanF32(x) || x < 0.0) { return nanF32(); }
  if (x == 0.0) { return -infF32(); }
  if (!isFiniteF32(x)) { return x; }
  let parts = splitF32(x);
  let low = parts.m < 1.41421356237309505;
  let e = f32(parts.e) + select(1.0, 0.0, low);
  let m = select(parts.m * 0.5, parts.m, low) - 1.0;
  let z = m * m;
  var y = z * (m * -1.1514610310e-1 + 1.1676998740e-1) + (m * -1.2420140846e-1 + 1.4249322787e-1);
  y = (z * z) * ((z * z) * 7.0376836292e-2 + y)
    + (z * (m * -1.6668057665e-1 + 2.0000714765e-1) + (m * -2.4999993993e-1 + 3.3333331174e-1));
  y = y * (m * z);
  y = e * -2.12194440e-4 + y;
  y = z * -0.5 + y;
  return e * 0.693359375 + (m + y);
}
`,
  [CLASSIFY_F32, SPECIAL_F32, SPLIT_F32],
);

/** `tanhF32(x)`: x + x³·P(x²) for |x| < 0.625, else sign(x)·(1 − 2/(e^(2|x|) + 1)). */
export const TANH = wgslFunction(
  `
fn tanhF32(x: f32) -> f32 {
  let a = abs(x) * 2.0;
  if (a < 1.25) {
    let z = x * x;
    let z2 = z * z;
    let p = z2 * (z2 * -5.70498872745e-3 + (z * 2.06390887954e-2 + -5.37397155531e-2))
      + (z * 1.33314422036e-1 + -3.33332819422e-1);
    return (p * z) * x + x;
  }
  let t = 1.0 - 2.0 / (expF32(a) + 1.0);
  return select(t, -t, x < 0.0);
}
`,
  [EXP],
);

/**
 * `sigmoidF32(x)` = 1/(1 + e^−x) from e^−|x|, so neither tail loses precision; `siluF32(x)` = x·σ(x);
 * `geluTanhF32(x)` = 0.5·x·(1 + tanh(u)) = x·σ(2u), u = √(2/π)·(x + 0.044715·x³).
 */
export const SIGMOID = wgslFunction(
  `
fn sigmoidF32(x: f32) -> f32 {
  let e = expF32(-abs(x));
  let y = 1.0 / (1.0 + e);
  return select(y, e * y, x < 0.0);
}
fn siluF32(x: f32) -> f32 { return x * sigmoidF32(x); }
fn geluTanhF32(x: f32) -> f32 {
  return x * sigmoidF32((x * ((x * x) * 0.044715 + 1.0)) * 1.5957691216057308);
}
`,
  [EXP],
);

/**
 * The standard normal CDF Φ in two pieces (asm/normal-cdf.wat): Φ(x) − ½ = x·S(x²) for |x| < 1.25
 * (`phiMidS` returns S; relative 2.3e-10), and Φ(−|x|) = t·e^(−x²/2)·R(t), t = 1/(1 + |x|/2), beyond
 * (`phiTail`; relative 1.8e-8 before rounding), with x² split exactly so the far tail keeps its
 * relative precision. |x| is capped at 14.5, past which Φ(−|x|) is 0 in float32.
 */
export const PHI = wgslFunction(
  `
fn phiMidS(x: f32) -> f32 {
  let w = x * x;
  let w2 = w * w;
  let m = w2 * (w2 * 4.76079407008001e-7 + (w * -9.058465366251767e-6 + 1.1503220594022423e-4))
    + (w * -1.1871096212416887e-3 + 9.973499923944473e-3);
  return w2 * m + (w * -6.649037450551987e-2 + 0.3989422917366028);
}
fn phiTail(ax: f32) -> f32 {
  let xh = bitcast<f32>(bitcast<u32>(ax) & 0xfffff000u);
  let e = expSplit((xh * -0.5) * xh, ((ax - xh) * -0.5) * (ax + xh));
  let t = 1.0 / (ax * 0.5 + 1.0);
  let u = t - 0.4;
  let u2 = u * u;
  var r = u2 * (u * -1.3794450461864471e-1 + 1.3989337719976902e-2) + (u * 1.2831266224384308e-1 + -6.465835869312286e-2);
  r = (u2 * u2) * r + (u2 * (u * -1.3360948860645294e-1 + 1.0027839988470078e-1) + (u * 3.155514895915985e-1 + 3.0378487706184387e-1));
  return (r * t) * e;
}
`,
  [EXP],
);

/** `geluF32(x)` = x·Φ(x), PyTorch's exact (erf) GELU; `erfF32(z)` = 2·Φ(z·√2) − 1. */
export const GELU_ERF = wgslFunction(
  `
fn geluF32(x: f32) -> f32 {
  if (isNanF32(x)) { return x; }
  let ax = min(abs(x), 14.5);
  if (ax < 1.25) { return x * (x * phiMidS(x) + 0.5); }
  let q = phiTail(ax);
  return x * select(1.0 - q, q, x < 0.0);
}
fn erfF32(z: f32) -> f32 {
  if (isNanF32(z)) { return z; }
  let x = z * 1.4142135623730951;
  let ax = min(abs(x), 14.5);
  if (ax < 1.25) { return z * (phiMidS(x) * 2.8284271247461903); }
  let y = 1.0 - 2.0 * phiTail(ax);
  return select(y, -y, z < 0.0);
}
`,
  [PHI, CLASSIFY_F32],
);
