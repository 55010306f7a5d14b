/**
 * Rounding float32 values to the 16-bit formats Hugging Face checkpoints store (IEEE half precision
 * `float16`, and `bfloat16`, the upper half of a float32), round to nearest, ties to even, as
 * PyTorch's `.half()` and `.bfloat16()` do. Values already representable (weights read from an F16
 * or BF16 safetensors file) come back bit for bit.
 */

/** Storage precision of packed weights: float32, or the 16-bit formats of Hugging Face checkpoints. */
export type WeightDType = 'float32' | 'float16' | 'bfloat16';

const word = new Float32Array(1);
const wordBits = new Uint32Array(word.buffer);

/** The float16 bits nearest to `value` (ties to even); 0x7c00/0xfc00 (±Infinity) past ±65504. */
export function floatToHalfBits(value: number): number {
  word[0] = value;
  return halfOfFloatBits(wordBits[0]!);
}

/** The bfloat16 bits nearest to `value` (ties to even); NaN stays a quiet NaN. */
export function floatToBfloat16Bits(value: number): number {
  word[0] = value;
  return bfloat16OfFloatBits(wordBits[0]!);
}

/** {@link floatToHalfBits} of the float32 whose bit pattern is `x`. */
function halfOfFloatBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 112; // rebias 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // a float16 subnormal (or zero): the implicit bit joins the mantissa, shifted 14 − e places
    if (e < -10) return sign;
    return sign | roundShift(mantissa | 0x800000, 14 - e);
  }
  // a carry out of the mantissa moves into the exponent, up to Infinity: what rounding means there
  return sign | ((e << 10) + roundShift(mantissa, 13));
}

/** {@link floatToBfloat16Bits} of the float32 whose bit pattern is `x`. */
function bfloat16OfFloatBits(x: number): number {
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** IEEE 754 half precision bits to a number (subnormals, infinities and NaN included). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** `bits` (a bfloat16) as a number. */
export function bfloat16BitsToFloat(bits: number): number {
  wordBits[0] = (bits & 0xffff) << 16;
  return word[0]!;
}

/** `value >> shift` rounded to nearest, ties to even (`shift` ≥ 1). */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/**
 * `values` rounded to `dtype`: the 16-bit patterns for float16/bfloat16.
 * @throws RangeError naming `op` and the element when a value is not finite or overflows the format
 * (a packed weight must be finite: the kernels widen halves without an Infinity/NaN path).
 */
export function toHalfBits(
  op: string,
  values: Float32Array,
  dtype: 'float16' | 'bfloat16',
  cols: number,
): Uint16Array {
  const out = new Uint16Array(values.length);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const round = dtype === 'float16' ? halfOfFloatBits : bfloat16OfFloatBits;
  const infinite = dtype === 'float16' ? 0x7c00 : 0x7f80;
  for (let i = 0; i < values.length; i++) {
    const half = round(bits[i]!);
    if ((half & infinite) === infinite) throw halfRangeError(op, values, i, cols, dtype);
    out[i] = half;
  }
  return out;
}

/** The error for element `i` of `values` (`cols` per row), which a 16-bit `dtype` cannot hold. */
export function halfRangeError(
  op: string,
  values: Float32Array,
  i: number,
  cols: number,
  dtype: 'float16' | 'bfloat16',
): RangeError {
  const v = values[i]!;
  return new RangeError(
    `${op}: weight element [${Math.floor(i / cols)}, ${i % cols}] is ${v}, which ${dtype} cannot hold${Number.isFinite(v) ? ' (it overflows to Infinity)' : ''}`,
  );
}

/** 16-bit patterns of `dtype` widened to float32 (exactly: every float16 and bfloat16 value is a float32). */
export function widenHalfBits(bits: Uint16Array, dtype: 'float16' | 'bfloat16'): Float32Array {
  return Float32Array.from(bits, dtype === 'float16' ? halfToFloat : bfloat16BitsToFloat);
}
