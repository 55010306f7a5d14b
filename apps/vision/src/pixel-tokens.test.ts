import { describe, expect, it } from 'vitest';
import { PIXELS, SIDE } from './mnist.js';
import {
  dequantize,
  LEVELS,
  PROMPT_LENGTH,
  promptTokens,
  quantize,
  SMALL,
  SMALL_PIXELS,
  VOCAB_SIZE,
} from './pixel-tokens.js';

describe('pixel tokens', () => {
  it('quantise 2x2 block means to the nearest of 4 levels, and back to 28x28', () => {
    const image = new Float32Array(PIXELS);
    image.fill(1, 0, SIDE * 2); // the top two rows white
    image[2 * SIDE] = 1; // one white pixel of the next block row: mean 1/4 → level 1 (of 0…3)
    image[2 * SIDE + 1] = 1; // two white pixels: mean 1/2 → level 2 (rounds half up)
    const tokens = quantize(image);
    expect(tokens).toHaveLength(SMALL_PIXELS);
    expect(tokens.slice(0, SMALL)).toEqual(new Array(SMALL).fill(LEVELS - 1));
    expect(tokens[SMALL]).toBe(2);
    const back = dequantize(tokens);
    expect(back[0]).toBe(1);
    expect(back[2 * SIDE]).toBeCloseTo(2 / 3, 6);
    expect(back[2 * SIDE + 1]).toBeCloseTo(2 / 3, 6);
    expect(back[3 * SIDE + 1]).toBeCloseTo(2 / 3, 6);
    expect(quantize(back)).toEqual(tokens);
  });

  it('spell each digit name as a distinct, left-padded prompt ending in SEP', () => {
    const prompts = Array.from({ length: 10 }, (_, d) => promptTokens(d));
    expect(new Set(prompts.map((p) => p.join())).size).toBe(10);
    for (const p of prompts) {
      expect(p).toHaveLength(PROMPT_LENGTH);
      expect(p.every((t) => t >= LEVELS && t < VOCAB_SIZE)).toBe(true);
    }
    expect(promptTokens(1)[0]).toBe(promptTokens(1)[1]); // 'one' is padded with two PADs
  });
});
