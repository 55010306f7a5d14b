/**
 * WGSL helper functions that the elementwise and reduction shaders link in by need: each
 * {@link WgslFunction} names the functions its code calls, and {@link linkWgsl} emits a shader's
 * helpers once each, callees first. The bit-level helpers here classify floats by their bits, so they
 * hold where a compiler assumes no NaN or flushes subnormals (WGSL allows both).
 */

/** WGSL code (functions, structs or module-scope values) and the helpers it calls. */
export interface WgslFunction {
  readonly code: string;
  readonly deps: readonly WgslFunction[];
}

/** A {@link WgslFunction} from its code and the helpers it calls. */
export function wgslFunction(code: string, deps: readonly WgslFunction[] = []): WgslFunction {
  return { code: code.trim(), deps };
}

/** The code of `fns` and of every helper they reach, each once, callees before callers. */
export function linkWgsl(fns: readonly WgslFunction[]): string {
  const order: WgslFunction[] = [];
  const seen = new Set<WgslFunction>();
  const visit = (fn: WgslFunction): void => {
    if (seen.has(fn)) return;
    seen.add(fn);
    for (const dep of fn.deps) visit(dep);
    order.push(fn);
  };
  for (const fn of fns) visit(fn);
  return order.map((fn) => fn.code).join('\n');
}

/**
 * `opaque(x)`: x times a 1 the compiler cannot see (a uniform the shader copies into `opaqueOne`), so
 * it cannot simplify error-free transforms algebraically (Mesa, for one, rewrites (a + b) − a to b in
 * float code that WGSL cannot mark precise). Every shader declares a uniform `one: f32` holding 1 and
 * starts `main` with {@link OPAQUE_INIT}; without it `opaqueOne` is 0 and results are visibly wrong.
 */
export const OPAQUE = wgslFunction(`
var<private> opaqueOne: f32;
fn opaque(x: f32) -> f32 { return x * opaqueOne; }
`);

/** The statement that sets {@link OPAQUE}'s 1 from the shader's uniform block `p`. */
export const OPAQUE_INIT = 'opaqueOne = p.one;';

/**
 * `f32FromBits(bits)`: a float from its bits. A call, not a constant expression, so NaN and
 * infinities can be made (WGSL rejects constant expressions that evaluate to them).
 */
export const F32_FROM_BITS = wgslFunction(`
fn f32FromBits(bits: u32) -> f32 { return bitcast<f32>(bits); }
`);

/** `nanF32()`, `infF32()`: a quiet NaN and +∞. */
export const SPECIAL_F32 = wgslFunction(
  `
fn nanF32() -> f32 { return f32FromBits(0x7fc00000u); }
fn infF32() -> f32 { return f32FromBits(0x7f800000u); }
`,
  [F32_FROM_BITS],
);

/** `isNanF32`, `isFiniteF32`, and `truthyF32` (`x != 0`, NaN true, as JavaScript's `x !== 0`). */
export const CLASSIFY_F32 = wgslFunction(`
fn isNanF32(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isFiniteF32(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn truthyF32(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }
`);

/**
 * `pow2(k)`: 2^k for −126 <= k <= 127, and `scaleByPow2(x, k)`: x·2^k for |k| <= 252 in two exact
 * steps, so a subnormal result is rounded once and a large one overflows to ±∞.
 */
export const SCALE_BY_POW2 = wgslFunction(
  `
fn pow2(k: i32) -> f32 { return f32FromBits(u32(k + 127) << 23u); }
fn scaleByPow2(x: f32, k: i32) -> f32 {
  let h = k / 2;
  return x * pow2(h) * pow2(k - h);
}
`,
  [F32_FROM_BITS],
);

/**
 * `splitF32(x)` for finite x > 0 (subnormals included): `m` in [1, 2) and `e` with x = m·2^e, from
 * the bits (subnormals normalised with integer shifts, so a flushing compiler cannot zero them).
 */
export const SPLIT_F32 = wgslFunction(
  `
struct SplitF32 { m: f32, e: i32 }
fn splitF32(x: f32) -> SplitF32 {
  var bits = bitcast<u32>(x);
  var e = i32(bits >> 23u) - 127;
  if (bits < 0x00800000u) {
    let shift = countLeadingZeros(bits) - 8u;
    bits = bits << shift;
    e = -126 - i32(shift);
  }
  return SplitF32(f32FromBits((bits & 0x007fffffu) | 0x3f800000u), e);
}
`,
  [F32_FROM_BITS],
);

/**
 * `toInt32(x)`: JavaScript's ToInt32 of a float, as a typed-array store does it: truncation toward
 * zero, wrapped modulo 2^32; NaN and ±∞ give 0 (WGSL's `i32(x)` clamps instead).
 */
export const TO_INT32 = wgslFunction(`
fn toInt32(x: f32) -> i32 {
  let bits = bitcast<u32>(x);
  let e = i32((bits >> 23u) & 0xffu) - 127;
  if (e < 0 || e == 128) { return 0; }
  let m = (bits & 0x007fffffu) | 0x00800000u;
  var magnitude = 0u;
  if (e <= 23) {
    magnitude = m >> u32(23 - e);
  } else if (e < 55) {
    magnitude = m << u32(e - 23);
  }
  let value = bitcast<i32>(magnitude);
  return select(value, -value, (bits >> 31u) != 0u);
}
`);

/**
 * `mulWide(a, b)`: the full 64-bit product of two u32 as (low word, high word), from 16-bit halves
 * (WGSL has no 64-bit integers).
 */
export const MUL_WIDE = wgslFunction(`
fn mulWide(a: u32, b: u32) -> vec2u {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2u((ll & 0xffffu) | (mid << 16u), ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u));
}
`);
