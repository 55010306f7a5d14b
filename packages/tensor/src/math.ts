/**
 * Scalar special functions shared by kernels. `erf` is accurate to ~1e-15 and `erfc` to ~1e-13
 * relative (float64 work); `erfFast`/`erfcFast` to a relative error of ~1.2e-7, enough for float32
 * kernels. Relative accuracy in the tails matters: GELU of a negative input is `0.5·x·erfc(|x|/√2)`.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const SQRT_PI = 1.7724538509055159;

/** erfc(x) for x >= 2 by its continued fraction, evaluated bottom-up (60 terms reach ~4e-15 relative). */
function erfcContinuedFraction(x: number): number {
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
  let fraction = x;
  for (let n = 60; n >= 1; n--) fraction = x + n / 2 / fraction;
  return Math.exp(-x * x) / (fraction * SQRT_PI);
}

/** The error function to double precision: a Taylor series for |x| < 2, the erfc continued fraction beyond. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2) {
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
  const tail = erfcContinuedFraction(ax);
  return x > 0 ? 1 - tail : tail - 1;
}

/** The complementary error function `1 - erf(x)`, accurate relative to its value in the right tail. */
export function erfc(x: number): number {
  return x < 2 ? 1 - erf(x) : erfcContinuedFraction(x);
}

// Taylor coefficients of erf near 0 (enough for |x| < 0.5 to float32 precision).
const E1 = -TWO_OVER_SQRT_PI / 3;
const E2 = TWO_OVER_SQRT_PI / 10;
const E3 = -TWO_OVER_SQRT_PI / 42;
const E4 = TWO_OVER_SQRT_PI / 216;
const E5 = -TWO_OVER_SQRT_PI / 1320;

/**
 * A fast erfc with relative error below 1.2e-7 everywhere (the Chebyshev fit of Numerical Recipes
 * §6.2), so the far tails stay accurate too.
 */
export function erfcFast(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const tail = t * Math.exp(-z * z + poly);
  return x >= 0 ? tail : 2 - tail;
}

/** A fast erf with relative error below ~2e-7, for float32 kernels (a short series near 0, `1 - erfc` beyond). */
export function erfFast(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const x2 = x * x;
    return x * (TWO_OVER_SQRT_PI + x2 * (E1 + x2 * (E2 + x2 * (E3 + x2 * (E4 + x2 * E5)))));
  }
  const y = 1 - erfcFast(ax);
  return x < 0 ? -y : y;
}

/** sqrt(2/pi), used by the tanh form of GELU. */
export const SQRT_2_OVER_PI = 0.7978845608028654;
