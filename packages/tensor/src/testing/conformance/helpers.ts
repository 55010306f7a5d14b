import type { MatmulArgs } from '../../backend/backend.js';

/**
 * Shared pieces of the backend conformance suite: seeded inputs and tolerant comparisons with the
 * JS reference kernels.
 */

/** A seeded stream of uniform numbers in [lo, hi) (mulberry32). */
export function randomSource(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + (hi - lo) * u;
  };
}

/** A Float32Array of `n` seeded uniform values in [lo, hi). */
export function randomF32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = randomSource(seed);
  return Float32Array.from({ length: n }, () => next(lo, hi));
}

/**
 * Index of the first element where `actual` and `expected` differ by more than
 * `atol + rtol * |expected|` (NaN must match NaN, infinities must match exactly), or -1.
 */
export function firstMismatch(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number | ArrayLike<number> = 0,
): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return i;
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) return i;
      continue;
    }
    const tol = (typeof atol === 'number' ? atol : atol[i]!) + rtol * Math.abs(e);
    if (!(Math.abs(a - e) <= tol)) return i;
  }
  return -1;
}

/** A readable description of the mismatch at `i` (for assertion messages). */
export function describeMismatch(i: number, actual: ArrayLike<number>, expected: ArrayLike<number>): string {
  return i < 0 ? 'ok' : `element ${i}: got ${actual[i]}, reference ${expected[i]}`;
}

/** Whether A and B are read transposed: every combination. */
export const TRANSPOSES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/**
 * q·kᵀ of every head read in place from one fused qkv storage `[B, T, 3·H·hs]` (seeded): A and B
 * share the storage, heads interleave, k is read transposed — the attention scores' layout.
 */
export function qkvScoresArgs(B: number, T: number, H: number, hs: number, seed: number): MatmulArgs {
  const C = H * hs;
  const qkv = randomF32(B * T * 3 * C, seed);
  const offsets = Int32Array.from({ length: B * H }, (_, i) => Math.floor(i / H) * T * 3 * C + (i % H) * hs);
  return {
    a: qkv,
    b: qkv,
    out: new Float32Array(B * H * T * T).fill(Number.NaN),
    batch: B * H,
    m: T,
    n: T,
    k: hs,
    aOffsets: offsets,
    bOffsets: offsets.map((o) => o + C),
    aRowStride: 3 * C,
    aColStride: 1,
    bRowStride: 1,
    bColStride: 3 * C,
  };
}
