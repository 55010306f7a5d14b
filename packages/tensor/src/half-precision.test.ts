import { describe, expect, it } from 'vitest';
import reference from '../fixtures/half-rounding.json';
import {
  bfloat16BitsToFloat,
  floatToBfloat16Bits,
  floatToHalfBits,
  halfToFloat,
  toHalfBits,
  widenHalfBits,
} from './half-precision.js';

/** The fixture's float32 values, from their bit patterns. */
const values = new Float32Array(Uint32Array.from(reference.float32Bits).buffer);

describe('16-bit rounding', () => {
  it("rounds float32 to float16 and bfloat16 bit for bit as torch's .half() and .bfloat16()", () => {
    const hex = (b: number) => `0x${b.toString(16).padStart(4, '0')}`;
    const mismatches = (round: (v: number) => number, want: number[]) =>
      Array.from(values).flatMap((v, i) =>
        round(v) === want[i] ? [] : [`${v}: ${hex(round(v))} != ${hex(want[i]!)}`],
      );
    expect(mismatches(floatToHalfBits, reference.float16)).toEqual([]);
    expect(mismatches(floatToBfloat16Bits, reference.bfloat16)).toEqual([]);
  });

  it('widens every 16-bit pattern exactly, and rounding a widened value gives its bits back', () => {
    const lost: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const h = halfToFloat(bits);
      if (!Number.isNaN(h) && floatToHalfBits(h) !== bits) lost.push(bits);
      const b = bfloat16BitsToFloat(bits);
      if (!Number.isNaN(b) && floatToBfloat16Bits(b) !== bits) lost.push(bits);
    }
    expect(lost).toEqual([]);
    const bits = Uint16Array.of(0x3c00, 0x0001, 0xfbff);
    expect(Array.from(widenHalfBits(bits, 'float16'))).toEqual([1, 2 ** -24, -65504]);
    expect(Array.from(widenHalfBits(Uint16Array.of(0x3f80, 0xc040), 'bfloat16'))).toEqual([1, -3]);
  });

  it('refuses values a 16-bit weight cannot hold, naming the element', () => {
    expect(() => toHalfBits('packLinear', Float32Array.of(1, 2, 3, 65520), 'float16', 2)).toThrow(
      'packLinear: weight element [1, 1] is 65520, which float16 cannot hold (it overflows to Infinity)',
    );
    expect(() => toHalfBits('packLinear', Float32Array.of(Number.POSITIVE_INFINITY), 'bfloat16', 1)).toThrow(
      'packLinear: weight element [0, 0] is Infinity, which bfloat16 cannot hold',
    );
    expect(Array.from(toHalfBits('packLinear', Float32Array.of(65519, -1e-9), 'float16', 2))).toEqual([
      0x7bff, 0x8000,
    ]);
  });
});
