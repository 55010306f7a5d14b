import {
  FF_ARITHMETIC,
  f32Literal,
  ffLiteral,
  ROUNDED_DIV_SQRT,
  TWO_PROD,
} from './elementwise-float-float.js';
import {
  CLASSIFY_F32,
  MUL_WIDE,
  SCALE_BY_POW2,
  SPECIAL_F32,
  SPLIT_F32,
  wgslFunction,
} from './elementwise-library.js';

/**
 * `pow` as JavaScript's `**` computes it and a float32 store rounds it: float `x ** y` correctly
 * rounded (the reference rounds a float64 power), with every special case of the ECMAScript
 * definition (1 ** NaN is NaN, (−1) ** ±∞ is NaN, a negative base to a non-integer is NaN, signed
 * zeros and infinities); and int32 products and powers wrapped as a float64 result stored to int32.
 */

/** Horner steps `acc = acc·v + c` in float-float for the coefficients, highest power first. */
function ffHorner(acc: string, v: string, coefficients: readonly number[]): string {
  return coefficients.map((c) => `  ${acc} = ffAdd(ffMul(${acc}, ${v}), ${ffLiteral(c)});`).join('\n');
}

/** Horner steps in float32. */
function f32Horner(acc: string, v: string, coefficients: readonly number[]): string {
  return coefficients.map((c) => `  ${acc} = ${acc} * ${v} + ${f32Literal(c)};`).join('\n');
}

/** log2(m) = s·Σ a_j·s^(2j), s = (m − 1)/(m + 1), a_j = 2/((2j + 1)·ln 2); j <= 11 reaches 2^−51 for |s| <= 0.2. */
const LOG2_SERIES = Array.from({ length: 12 }, (_, j) => 2 / ((2 * j + 1) * Math.LN2));
/** 2^f = Σ c_k·f^k, c_k = (ln 2)^k/k!; k <= 13 reaches 2^−50 for |f| <= 0.5. */
const EXP2_SERIES = Array.from({ length: 14 }, (_, k) => {
  let c = 1;
  for (let i = 1; i <= k; i++) c *= Math.LN2 / i;
  return c;
});
/**
 * Terms from these indices on add under 2^−26 of the series' value, so float32 Horner steps (2^−24
 * relative) carry them to 2^−50; the lower terms take float-float steps.
 */
const LOG2_FF_TERMS = 5;
const EXP2_FF_TERMS = 8;

/**
 * `log2FF(m)` for m in [0.75, 1.5) and `exp2FF(t)` (t <= 129, t >= −160), each to ~2^−46 relative
 * in float-float, so `powPositive` = 2^(y·log2 x) (x > 0 finite, y finite and not 0) is correctly
 * rounded but for ties closer than that. Integral |y| <= 64 multiplies instead (`powInteger`, by
 * squaring in float-float), exact while x^|y| fits in 48 bits, so exact powers that tie round to even
 * as the reference's do; that path keeps to x^|y| in 2^±90, where float-float products are exact.
 * |y| >= 2^40 overflows or underflows unless x = 1.
 */
const POW_POSITIVE = wgslFunction(
  `
fn log2FF(m: f32) -> vec2f {
  let d = twoSum(m, 1.0);
  let num = m - 1.0;
  let q1 = num / d.x;
  let p = twoProd(q1, d.x);
  let s = fastTwoSum(q1, (((num - p.x) - p.y) - q1 * d.y) / d.x);
  let z = ffMul(s, s);
  var tail = ${f32Literal(LOG2_SERIES.at(-1)!)};
${f32Horner('tail', 'z.x', LOG2_SERIES.slice(LOG2_FF_TERMS, -1).reverse())}
  var acc = vec2f(tail, 0.0);
${ffHorner('acc', 'z', LOG2_SERIES.slice(0, LOG2_FF_TERMS).reverse())}
  return ffMul(acc, s);
}
fn exp2FF(t: vec2f) -> f32 {
  let n = round(t.x);
  let f = fastTwoSum(t.x - n, t.y);
  var tail = ${f32Literal(EXP2_SERIES.at(-1)!)};
${f32Horner('tail', 'f.x', EXP2_SERIES.slice(EXP2_FF_TERMS, -1).reverse())}
  var acc = vec2f(tail, 0.0);
${ffHorner('acc', 'f', EXP2_SERIES.slice(0, EXP2_FF_TERMS).reverse())}
  return scaleByPow2(acc.x + acc.y, i32(n));
}
fn powInteger(x: f32, n: u32) -> vec2f {
  var result = vec2f(1.0, 0.0);
  var base = vec2f(x, 0.0);
  var k = n;
  loop {
    if ((k & 1u) != 0u) { result = ffMul(result, base); }
    k = k >> 1u;
    if (k == 0u) { break; }
    base = ffMul(base, base);
  }
  return result;
}
fn powPositive(x: f32, y: f32) -> f32 {
  if (y == 1.0) { return x; }
  if (y == 2.0) { return x * x; }
  if (y == 0.5) { return sqrtRounded(x); }
  if (floor(y) == y && abs(y) <= 64.0) {
    let p = powInteger(x, u32(abs(y)));
    if (p.x >= 8.0779356e-28 && p.x <= 1.2379400e27) {
      if (y > 0.0) { return p.x + p.y; }
      let q = 1.0 / p.x;
      let e = twoProd(q, p.x);
      return q + (((1.0 - e.x) - e.y) - q * p.y) / p.x;
    }
  }
  if (abs(y) >= 1099511627776.0) {
    if (x == 1.0) { return 1.0; }
    return select(0.0, infF32(), (x > 1.0) == (y > 0.0));
  }
  let parts = splitF32(x);
  let high = parts.m >= 1.5;
  let m = select(parts.m, parts.m * 0.5, high);
  let k = f32(parts.e + select(0, 1, high));
  let t = ffAdd(twoProd(y, k), ffMulF(log2FF(m), y));
  if (t.x > 129.0) { return infF32(); }
  if (t.x < -160.0) { return 0.0; }
  return exp2FF(t);
}
`,
  [FF_ARITHMETIC, TWO_PROD, ROUNDED_DIV_SQRT, SPLIT_F32, SCALE_BY_POW2, SPECIAL_F32],
);

/** `powF32(x, y)`: ECMAScript's Number::exponentiate, rounded to float32. */
export const POW_F32 = wgslFunction(
  `
fn isOddIntegerF32(y: f32) -> bool {
  let a = abs(y);
  return a < 16777216.0 && floor(a) == a && (u32(a) & 1u) == 1u;
}
fn powF32(x: f32, y: f32) -> f32 {
  if (isNanF32(y)) { return y; }
  if (y == 0.0) { return 1.0; }
  if (isNanF32(x)) { return x; }
  let ax = abs(x);
  if (!isFiniteF32(y)) {
    if (ax == 1.0) { return nanF32(); }
    return select(0.0, infF32(), (ax > 1.0) == (y > 0.0));
  }
  let negative = (bitcast<u32>(x) >> 31u) != 0u;
  let odd = isOddIntegerF32(y);
  var magnitude: f32;
  if (ax == 0.0 || !isFiniteF32(ax)) {
    magnitude = select(0.0, infF32(), (ax == 0.0) == (y < 0.0));
  } else {
    if (negative && floor(y) != y) { return nanF32(); }
    magnitude = powPositive(ax, y);
  }
  return select(magnitude, -magnitude, negative && odd);
}
`,
  [POW_POSITIVE, CLASSIFY_F32, SPECIAL_F32],
);

/**
 * `mulI32(a, b)`: ToInt32 of the float64 product, as the reference stores `a * b` into an Int32Array:
 * the wrapped product while |a·b| < 2^53, else the product rounded to 53 significant bits (ties to
 * even) before wrapping.
 */
export const MUL_I32 = wgslFunction(
  `
fn mulI32(a: i32, b: i32) -> i32 {
  let product = mulWide(u32(abs(a)), u32(abs(b)));
  if (product.y < 0x00200000u) { return a * b; }
  let drop = 11u - countLeadingZeros(product.y);
  let mask = (1u << drop) - 1u;
  let rest = product.x & mask;
  let half = 1u << (drop - 1u);
  var low = product.x & ~mask;
  if (rest > half || (rest == half && ((product.x >> drop) & 1u) == 1u)) { low = low + (1u << drop); }
  let value = bitcast<i32>(low);
  return select(value, -value, (a < 0) != (b < 0));
}
`,
  [MUL_WIDE],
);

/**
 * `powI32(x, e)`: ToInt32 of the float64 power: by squaring with wrapping products, exact while
 * |x^e| < 2^53; from 2^84 on the float64 power is a multiple of 2^32 (or ∞), so 0. A negative
 * exponent gives 1 or −1 for |x| = 1 and 0 otherwise (a fraction or ∞). Between 2^53 and 2^84 the
 * reference keeps only the top 53 bits of its (float64) power, which this does not reproduce.
 */
export const POW_I32 = wgslFunction(`
fn powI32(x: i32, e: i32) -> i32 {
  if (e < 0) {
    if (x == 1) { return 1; }
    if (x == -1) { return select(1, -1, (e & 1) != 0); }
    return 0;
  }
  let magnitude = abs(f32(x));
  if (magnitude >= 2.0 && f32(e) * log2(magnitude) >= 84.0) { return 0; }
  var result = 1;
  var base = x;
  var n = u32(e);
  loop {
    if ((n & 1u) != 0u) { result = result * base; }
    n = n >> 1u;
    if (n == 0u) { break; }
    base = base * base;
  }
  return result;
}
`);
