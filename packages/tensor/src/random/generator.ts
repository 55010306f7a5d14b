/** The serialisable state of a {@link Generator}, for checkpoints. */
export interface GeneratorState {
  /** The four 32-bit words of the xoshiro128** state. */
  words: [number, number, number, number];
  /** The second normal deviate of the last Box–Muller pair, if unused. */
  spareNormal: number | null;
}

/**
 * A seedable random number generator (xoshiro128**, seeded through splitmix32). Only 32-bit
 * integer arithmetic is used, so a seed gives the same numbers on every platform and engine.
 * @example const g = new Generator(1337); g.uniform();
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** @param seed any integer in ±2^53; defaults to 0. */
  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Restarts the stream from `seed`. */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed))
      throw new RangeError(`Generator: seed must be a safe integer, got ${seed}`);
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
    return this;
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
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

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform number in [0, 1) with 24 random bits: exactly representable in float32, never rounds up to 1. */
  uniform24(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** A standard normal deviate (Box–Muller; the second deviate of each pair is kept for the next call). */
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

  /** A uniform integer in [low, high), without modulo bias. */
  integer(low: number, high: number): number {
    const range = high - low;
    if (!Number.isInteger(low) || !Number.isInteger(high) || range <= 0 || range > 4294967296) {
      throw new RangeError(
        `Generator.integer: need integers with 0 < high - low <= 2^32, got [${low}, ${high})`,
      );
    }
    const limit = 4294967296 - (4294967296 % range);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return low + (x % range);
  }

  /** A copy of the state, for checkpoints. */
  getState(): GeneratorState {
    return { words: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.spare };
  }

  /** Restores a state taken with {@link getState}. */
  setState(state: GeneratorState): this {
    [this.s0, this.s1, this.s2, this.s3] = state.words.map((w) => w | 0) as [number, number, number, number];
    this.spare = state.spareNormal;
    return this;
  }

  /** An independent generator continuing from this one's current state. */
  clone(): Generator {
    return new Generator().setState(this.getState());
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

let defaultGen = new Generator(0);

/** Seeds the default generator used by random functions called without one. */
export function manualSeed(seed: number): Generator {
  defaultGen = new Generator(seed);
  return defaultGen;
}

/** The default generator (seeded with 0 until {@link manualSeed} is called). */
export function defaultGenerator(): Generator {
  return defaultGen;
}
