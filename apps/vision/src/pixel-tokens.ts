import type { Tensor } from '@proj/tensor';
import { PIXELS, SIDE } from './mnist.js';

/** Grey levels of a drawn pixel: token ids 0…LEVELS−1. */
export const LEVELS = 4;
/** Side of a drawn image: MNIST at half resolution. */
export const SMALL = SIDE / 2;
/** Pixels of a drawn image. */
export const SMALL_PIXELS = SMALL * SMALL;
/** The digits' English names, the prompts. */
export const DIGIT_NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
/** Left padding of a short name. */
export const PAD = LEVELS;
/** Ends the prompt: the pixels follow. */
export const SEP = LEVELS + 1;
const LETTERS = [...new Set(DIGIT_NAMES.join(''))].sort();
/** Characters of the longest name. */
export const NAME_LENGTH = Math.max(...DIGIT_NAMES.map((n) => n.length));
/** Tokens before the first pixel: the padded name and SEP. */
export const PROMPT_LENGTH = NAME_LENGTH + 1;
/** Pixel levels, PAD, SEP and the letters of the names. */
export const VOCAB_SIZE = LEVELS + 2 + LETTERS.length;

/** The prompt of a digit: its name's letters, left-padded to {@link NAME_LENGTH}, then SEP. */
export function promptTokens(digit: number): number[] {
  const name = DIGIT_NAMES[digit]!;
  const letters = [...name].map((ch) => LEVELS + 2 + LETTERS.indexOf(ch));
  return [...new Array<number>(NAME_LENGTH - name.length).fill(PAD), ...letters, SEP];
}

/**
 * A 28×28 grey image (values in [0, 1]) as {@link SMALL}×{@link SMALL} tokens: each 2×2 block's mean,
 * rounded to the nearest of {@link LEVELS} evenly spaced levels.
 */
export function quantize(pixels: Float32Array): number[] {
  const out = new Array<number>(SMALL_PIXELS);
  for (let r = 0; r < SMALL; r++) {
    for (let c = 0; c < SMALL; c++) {
      const at = 2 * r * SIDE + 2 * c;
      const mean = (pixels[at]! + pixels[at + 1]! + pixels[at + SIDE]! + pixels[at + SIDE + 1]!) / 4;
      out[r * SMALL + c] = Math.round(mean * (LEVELS - 1));
    }
  }
  return out;
}

/** Pixel tokens back to a 28×28 grey image: each level's grey, each pixel doubled both ways. */
export function dequantize(tokens: ArrayLike<number>): Float32Array {
  const out = new Float32Array(PIXELS);
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      const level = tokens[Math.floor(r / 2) * SMALL + Math.floor(c / 2)]!;
      out[r * SIDE + c] = level < LEVELS ? level / (LEVELS - 1) : 0;
    }
  }
  return out;
}

/** The pixel tokens of each generated row `[B, PROMPT_LENGTH + SMALL_PIXELS]`. */
export function pixelsOf(rows: Tensor): number[][] {
  const data = rows.data();
  const width = rows.shape[1]!;
  return Array.from({ length: rows.shape[0]! }, (_, b) =>
    Array.from(data.subarray(b * width + PROMPT_LENGTH, b * width + PROMPT_LENGTH + SMALL_PIXELS)),
  );
}
