import type { FloatArray } from '../dtype.js';
import type { RandomEngine } from './engine.js';

/** The serialisable state of a `Generator` with the default `'xoshiro128**'` algorithm. */
export interface XoshiroState {
  /** Absent in states saved before there were other algorithms. */
  algorithm?: 'xoshiro128**';
  /** The four 32-bit words of the xoshiro128** state. */
  words: [number, number, number, number];
  /** The second normal deviate of the last Box–Muller pair, if unused. */
  spareNormal: number | null;
}

/**
 * xoshiro128** (Blackman & Vigna) seeded through splitmix32. Only 32-bit integer arithmetic is
 * used, so a seed gives the same words on every platform and engine.
 */
export class XoshiroEngine implements RandomEngine<XoshiroState> {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  seed(seed: number): void {
    // splitmix32 over the low word; the high word is folded into s1 through the same bijective
    // finalizer (which maps 0 to 0), so distinct safe-integer seeds (-1 and 0, 1 and 2^32) give
    // distinct states and seeds in [0, 2^32) keep the plain splitmix32 stream.
    let x = seed >>> 0;
    const high = Math.floor(seed / 4294967296) | 0;
    const mix = (): number => {
      x = (x + 0x9e3779b9) | 0;
      return finalize(x);
    };
    this.s0 = mix();
    this.s1 = (mix() ^ finalize(high)) >>> 0;
    this.s2 = mix();
    this.s3 = mix();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform24(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log never sees 0
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  integer(low: number, range: number): number {
    // rejection keeps every value equally likely (no modulo bias)
    const limit = 4294967296 - (4294967296 % range);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return low + (x % range);
  }

  fillUniform(out: FloatArray, low: number, high: number): void {
    const span = high - low;
    if (out instanceof Float64Array)
      for (let i = 0; i < out.length; i++) out[i] = this.uniform() * span + low;
    else for (let i = 0; i < out.length; i++) out[i] = this.uniform24() * span + low;
  }

  fillNormal(out: FloatArray, mean: number, std: number): void {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
  }

  getState(): XoshiroState {
    return {
      algorithm: 'xoshiro128**',
      words: [this.s0, this.s1, this.s2, this.s3],
      spareNormal: this.spare,
    };
  }

  setState(state: XoshiroState): void {
    [this.s0, this.s1, this.s2, this.s3] = state.words.map((w) => w | 0) as [number, number, number, number];
    this.spare = state.spareNormal;
  }
}

/** The splitmix32 output function: a bijection on 32-bit words with finalize(0) = 0. */
function finalize(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
