/**
 * Scalar special functions shared by kernels. `erf` is accurate to ~1e-15 (float64 work);
 * `erfFast` to ~1.5e-7 (Abramowitz & Stegun 7.1.26), enough for float32 kernels.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** The error function to double precision: a Taylor series near 0, a continued fraction for erfc beyond. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) evaluated bottom-up.
  let fraction = ax;
  for (let n = 60; n >= 1; n--) fraction = ax + n / 2 / fraction;
  const erfc = Math.exp(-ax * ax) / (fraction * 1.7724538509055159);
  return x > 0 ? 1 - erfc : erfc - 1;
}

/** A fast erf with absolute error below 1.5e-7, for float32 kernels. */
export function erfFast(x: number): number {
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-ax * ax);
  return x < 0 ? -y : y;
}

/** sqrt(2/pi), used by the tanh form of GELU. */
export const SQRT_2_OVER_PI = 0.7978845608028654;
