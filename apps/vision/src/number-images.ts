import type { Generator } from '@proj/tensor';
import { type Digits, PIXELS, SIDE } from './mnist.js';

/** Digits per image at most: images are `SIDE × (MAX_DIGITS·SIDE)` (28 × 112). */
export const MAX_DIGITS = 4;
export const WIDTH = MAX_DIGITS * SIDE;

/**
 * Whether `n` is one of the numbers kept out of training (about 10% of those with 2–4 digits), by a
 * fixed multiplicative hash: the test asks for numbers the model never saw.
 */
export function isHeldOut(n: number): boolean {
  return n >= 10 && (Math.imul(n, 2654435761) >>> 0) % 10 === 0;
}

/** A uniformly drawn number with `digits` digits (0–9 for one), training or held-out as asked. */
export function drawNumber(digits: number, heldOut: boolean, generator: Generator): number {
  const low = digits === 1 ? 0 : 10 ** (digits - 1);
  for (;;) {
    const n = low + generator.integer(0, 10 ** digits - low);
    if (isHeldOut(n) === heldOut) return n;
  }
}

/** The images of each class in `digits`, by index. */
export function classIndex(digits: Digits): number[][] {
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < digits.size; i++) byClass[digits.labels[i]!]!.push(i);
  return byClass;
}

/**
 * Writes the picture of `n` into `out` (`SIDE × WIDTH`, zeros first): one randomly chosen image of
 * each of its digits, side by side and centred.
 */
export function composeNumber(
  n: number,
  digits: Digits,
  byClass: number[][],
  generator: Generator,
  out: Float32Array,
): void {
  out.fill(0);
  const text = String(n);
  const left = ((MAX_DIGITS - text.length) * SIDE) / 2;
  [...text].forEach((ch, k) => {
    const pool = byClass[Number(ch)]!;
    const image = pool[generator.integer(0, pool.length)]!;
    for (let r = 0; r < SIDE; r++) {
      for (let c = 0; c < SIDE; c++)
        out[r * WIDTH + left + k * SIDE + c] = digits.images[image * PIXELS + r * SIDE + c]!;
    }
  });
}
