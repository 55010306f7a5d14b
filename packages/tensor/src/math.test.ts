import { describe, expect, it } from 'vitest';
import { erf, erfc, erfcFast, erfFast, SQRT_2_OVER_PI } from './math.js';

/** Python math.erfc values. */
const erfcTable: [number, number][] = [
  [-2, 1.9953222650189528],
  [0.5, 0.4795001221869535],
  [1.9, 0.0072095707647425325],
  [2, 0.004677734981047265],
  [3, 2.2090496998585438e-5],
  [4.5, 1.9661604415428873e-10],
  [10, 2.088487583762545e-45],
  [26, 5.663192408856143e-296],
];

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('special functions', () => {
  it('erfc is accurate relative to its value, far into the tail', () => {
    for (const [x, want] of erfcTable) expect(rel(erfc(x), want)).toBeLessThan(2e-13);
    expect(erfc(Number.POSITIVE_INFINITY)).toBe(0);
    expect(erfc(Number.NEGATIVE_INFINITY)).toBe(2);
    expect(erfc(Number.NaN)).toBeNaN();
  });

  it('erf is odd, exact at 0, and consistent with erfc', () => {
    expect(erf(0)).toBe(0);
    for (const x of [0.1, 0.9, 1.99, 2.01, 3.7]) {
      expect(erf(-x)).toBe(-erf(x));
      expect(Math.abs(erf(x) - (1 - erfc(x)))).toBeLessThan(1e-15);
    }
  });

  it('the fast float32 forms keep ~1e-7 relative error everywhere, small inputs and tails included', () => {
    let worstErf = 0;
    let worstErfc = 0;
    for (let x = -9; x <= 9; x += 0.0137) {
      if (Math.abs(x) > 1e-9) worstErf = Math.max(worstErf, rel(erfFast(x), erf(x)));
      worstErfc = Math.max(worstErfc, rel(erfcFast(x), erfc(x)));
    }
    expect(worstErf).toBeLessThan(2e-7);
    expect(worstErfc).toBeLessThan(1.3e-7);
    expect(rel(erfFast(1e-6), erf(1e-6))).toBeLessThan(1e-12);
    for (const [x, want] of erfcTable) expect(rel(erfcFast(x), want)).toBeLessThan(1.3e-7);
  });

  it('SQRT_2_OVER_PI is √(2/π)', () => {
    expect(SQRT_2_OVER_PI).toBeCloseTo(Math.sqrt(2 / Math.PI), 15);
  });
});
