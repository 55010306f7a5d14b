import { OPAQUE, wgslFunction } from './elementwise-library.js';

/**
 * Float-float arithmetic in WGSL: a value is an unevaluated sum `hi + lo` of two f32 (a `vec2f`),
 * about 48 bits of precision. It carries what float32 alone cannot: sums and products of reductions
 * as accurate as the reference's float64 accumulation, a correctly rounded `pow`, and quotients and
 * square roots corrected to the rounded result where the GPU's division or sqrt is approximate (WGSL
 * allows 2.5 ulp).
 *
 * The error-free transforms use only correctly rounded `+`, `−` and `×` (WGSL requires those), with
 * their intermediate sums passed through {@link OPAQUE} so no compiler can cancel them algebraically.
 * `twoProd` splits its factors by masking the low mantissa bits, so every partial product is exact
 * and the result is the same whether or not the compiler fuses a multiply and an add.
 */

/** `twoSum(a, b)`: s = fl(a + b) and the exact error, a + b = s + e. */
export const TWO_SUM = wgslFunction(
  `
fn twoSum(a: f32, b: f32) -> vec2f {
  let s = opaque(a + b);
  let bb = opaque(s - a);
  return vec2f(s, (a - (s - bb)) + (b - bb));
}
fn fastTwoSum(a: f32, b: f32) -> vec2f {
  let s = opaque(a + b);
  return vec2f(s, b - (s - a));
}
`,
  [OPAQUE],
);

/** `twoProd(a, b)`: p = fl(a·b) and the exact error, a·b = p + e (no overflow or underflow). */
export const TWO_PROD = wgslFunction(
  `
fn splitHigh(a: f32) -> f32 { return bitcast<f32>(bitcast<u32>(a) & 0xfffff000u); }
fn twoProd(a: f32, b: f32) -> vec2f {
  let p = opaque(a * b);
  let ah = splitHigh(a);
  let al = opaque(a - ah);
  let bh = splitHigh(b);
  let bl = opaque(b - bh);
  let e1 = opaque(ah * bh - p);
  let e2 = opaque(e1 + ah * bl);
  return vec2f(p, opaque(e2 + al * bh) + al * bl);
}
`,
  [OPAQUE],
);

/** `ffAdd`, `ffMul` of two float-float values and `ffMulF` by an f32, each normalised. */
export const FF_ARITHMETIC = wgslFunction(
  `
fn ffAdd(a: vec2f, b: vec2f) -> vec2f {
  let s = twoSum(a.x, b.x);
  let t = twoSum(a.y, b.y);
  let u = fastTwoSum(s.x, s.y + t.x);
  return fastTwoSum(u.x, u.y + t.y);
}
fn ffMul(a: vec2f, b: vec2f) -> vec2f {
  let p = twoProd(a.x, b.x);
  return fastTwoSum(p.x, p.y + (a.x * b.y + a.y * b.x));
}
fn ffMulF(a: vec2f, b: f32) -> vec2f {
  let p = twoProd(a.x, b);
  return fastTwoSum(p.x, p.y + a.y * b);
}
`,
  [TWO_SUM, TWO_PROD],
);

/**
 * `divRounded(a, b)` and `sqrtRounded(x)`: the native result plus one correction from the exact
 * remainder (a − q·b, x − s²), which turns a result a few ulp off into the rounded one. Operands far
 * from 1 (outside 2^±60), where the remainder could underflow, keep the native result.
 */
export const ROUNDED_DIV_SQRT = wgslFunction(
  `
fn inRefinableRange(x: f32) -> bool {
  let a = abs(x);
  return a >= 8.673617e-19 && a <= 1.1529215e18;
}
fn refineQuotient(a: f32, b: f32, q: f32) -> f32 {
  if (!(inRefinableRange(a) && inRefinableRange(b))) { return q; }
  let p = twoProd(q, b);
  return q + (((a - p.x) - p.y) / b);
}
fn divRounded(a: f32, b: f32) -> f32 { return refineQuotient(a, b, a / b); }
fn refineSqrt(x: f32, s: f32) -> f32 {
  if (!(x > 0.0 && inRefinableRange(x))) { return s; }
  let p = twoProd(s, s);
  return s + (((x - p.x) - p.y) / (s + s));
}
fn sqrtRounded(x: f32) -> f32 { return refineSqrt(x, sqrt(x)); }
`,
  [TWO_PROD],
);

/** WGSL literal of a number rounded to f32 (exact: the shortest decimal that rounds back to it). */
export function f32Literal(value: number): string {
  const text = String(Math.fround(value));
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** WGSL `vec2f` literal of a float64 constant as float-float: the nearest f32, and the nearest to the rest. */
export function ffLiteral(value: number): string {
  const hi = Math.fround(value);
  return `vec2f(${f32Literal(hi)}, ${f32Literal(value - hi)})`;
}
