import { Generator } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { type Digits, PIXELS, SIDE } from './mnist.js';
import { classIndex, composeNumber, drawNumber, isHeldOut, WIDTH } from './number-images.js';

describe('number pictures', () => {
  it('hold out about a tenth of the 2-4 digit numbers, and no 1-digit number', () => {
    const held = Array.from({ length: 9990 }, (_, i) => i + 10).filter(isHeldOut);
    expect(held.length).toBeGreaterThan(900);
    expect(held.length).toBeLessThan(1100);
    expect(Array.from({ length: 10 }, (_, n) => isHeldOut(n))).not.toContain(true);
    const g = new Generator(0);
    for (let i = 0; i < 200; i++) {
      const digits = 2 + (i % 3);
      const n = drawNumber(digits, true, g);
      expect(isHeldOut(n)).toBe(true);
      expect(String(n)).toHaveLength(digits);
      expect(isHeldOut(drawNumber(digits, false, g))).toBe(false);
    }
  });

  it('place one image of each digit side by side, centred', () => {
    // ten fake "digits": image d is filled with (d + 1) / 10
    const images = new Float32Array(10 * PIXELS);
    for (let d = 0; d < 10; d++) images.fill((d + 1) / 10, d * PIXELS, (d + 1) * PIXELS);
    const digits: Digits = { images, labels: Int32Array.from({ length: 10 }, (_, d) => d), size: 10 };
    const out = new Float32Array(SIDE * WIDTH);
    composeNumber(47, digits, classIndex(digits), new Generator(0), out);
    const row = Array.from(out.subarray(5 * WIDTH, 6 * WIDTH));
    expect(row.slice(0, SIDE)).toEqual(new Array(SIDE).fill(0));
    expect(row[SIDE]).toBeCloseTo(0.5, 6);
    expect(row[2 * SIDE]).toBeCloseTo(0.8, 6);
    expect(row.slice(3 * SIDE)).toEqual(new Array(SIDE).fill(0));
  });
});
