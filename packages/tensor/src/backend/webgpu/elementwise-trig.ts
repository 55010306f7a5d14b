import { CLASSIFY_F32, MUL_WIDE, SPECIAL_F32, wgslFunction } from './elementwise-library.js';

/**
 * Sine and cosine in WGSL, accurate over the whole float32 range as JavaScript's `Math.sin`/`Math.cos`
 * are (WGSL's own are only specified to 2^−11 absolute on [−π, π]). |x| <= π/4 goes straight to the
 * Cephes polynomials; larger |x| is reduced by π/2 exactly with Payne–Hanek: the 24-bit mantissa times
 * a 128-bit window of 2/π's bits, chosen by the exponent, in 32-bit integer arithmetic. That gives the
 * quadrant and the remainder to ~2^−48 absolute, however large x is (3e38 included) and however close
 * to a multiple of π/2.
 */

/** Bits of 2/π after the binary point, 32 per word (the window for exponents up to 2^127). */
const TWO_OVER_PI_WORDS = [
  0xa2f9836e, 0x4e441529, 0xfc2757d1, 0xf534ddc0, 0xdb629599, 0x3c439041, 0xfe5163ab, 0xdebbc561,
];

/** `sinPoly(r)`, `cosPoly(r)`: Cephes sinf/cosf polynomials for |r| <= π/4. */
const TRIG_POLYNOMIALS = wgslFunction(`
fn sinPoly(r: f32) -> f32 {
  let z = r * r;
  return ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
}
fn cosPoly(r: f32) -> f32 {
  let z = r * r;
  return ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
}
`);

/**
 * `reduceHalfPi(ax)` for finite ax >= 0.5: the quadrant q (mod 4) and r in [−π/4, π/4] with
 * ax = (q + 4j)·π/2 + r. ax = m·2^e (m a 24-bit integer); bits of 2/π before the window contribute
 * multiples of 4 to ax·2/π and are skipped; the binary point of the 152-bit product m·window lies at
 * bit 94..152, and the 64 bits below it (rounded to the nearest quadrant) give r.
 */
const REDUCE_HALF_PI = wgslFunction(
  `
var<private> twoOverPi: array<u32, ${TWO_OVER_PI_WORDS.length}> = array<u32, ${TWO_OVER_PI_WORDS.length}>(${TWO_OVER_PI_WORDS.map((w) => `0x${w.toString(16)}u`).join(', ')});
struct ReducedAngle { q: u32, r: f32 }
fn bitsAt(p: ptr<function, array<u32, 5>>, at: u32) -> u32 {
  let i = at / 32u;
  let s = at % 32u;
  var low = 0u;
  if (i < 5u) { low = (*p)[i] >> s; }
  var high = 0u;
  if (s != 0u && i + 1u < 5u) { high = (*p)[i + 1u] << (32u - s); }
  return low | high;
}
fn reduceHalfPi(ax: f32) -> ReducedAngle {
  let bits = bitcast<u32>(ax);
  let e = i32(bits >> 23u) - 150;
  let m = (bits & 0x007fffffu) | 0x00800000u;
  let w = u32(max(e - 2, 0)) / 32u;
  var p: array<u32, 5>;
  var carry = 0u;
  for (var k = 0u; k < 4u; k++) {
    let part = mulWide(m, twoOverPi[w + 3u - k]);
    let sum = part.x + carry;
    p[k] = sum;
    carry = part.y + select(0u, 1u, sum < carry);
  }
  p[4] = carry;
  let point = u32(128 + 32 * i32(w) - e);
  let high = bitsAt(&p, point - 32u);
  let low = bitsAt(&p, point - 64u);
  let up = high >= 0x80000000u;
  let q = (bitsAt(&p, point) + select(0u, 1u, up)) & 3u;
  let vHi = f32(high >> 8u) * 5.9604644775390625e-8 - select(0.0, 1.0, up);
  let vLo = f32(((high & 0xffu) << 16u) | (low >> 16u)) * 3.552713678800501e-15;
  return ReducedAngle(q, vHi * 1.5707963705062866 + (vHi * -4.371138828673793e-8 + vLo * 1.5707963705062866));
}
`,
  [MUL_WIDE],
);

/** `sinF32(x)`, `cosF32(x)`: NaN for NaN and ±∞; sin(−0) = −0. */
export const SIN_COS = wgslFunction(
  `
fn sinF32(x: f32) -> f32 {
  if (!isFiniteF32(x)) { return nanF32(); }
  let ax = abs(x);
  if (ax <= 0.7853981633974483) { return sinPoly(x); }
  let a = reduceHalfPi(ax);
  var y = select(sinPoly(a.r), cosPoly(a.r), (a.q & 1u) == 1u);
  y = select(y, -y, a.q >= 2u);
  return select(y, -y, x < 0.0);
}
fn cosF32(x: f32) -> f32 {
  if (!isFiniteF32(x)) { return nanF32(); }
  let ax = abs(x);
  if (ax <= 0.7853981633974483) { return cosPoly(x); }
  let a = reduceHalfPi(ax);
  let y = select(cosPoly(a.r), sinPoly(a.r), (a.q & 1u) == 1u);
  return select(y, -y, a.q == 1u || a.q == 2u);
}
`,
  [TRIG_POLYNOMIALS, REDUCE_HALF_PI, CLASSIFY_F32, SPECIAL_F32],
);
