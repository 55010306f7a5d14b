import type { FloatArray } from '../dtype.js';

/**
 * What a `Generator` delegates to: a bit generator and the formulas that turn its words into
 * samples. Each algorithm keeps its own formulas, so a stream is defined by the algorithm alone.
 * Arguments arrive validated by the generator.
 */
export interface RandomEngine<State> {
  /** Restarts the stream from a safe-integer seed. */
  seed(seed: number): void;
  /** The next uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number;
  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** A uniform number in [0, 1) with 24 random bits (exact in float32). */
  uniform24(): number;
  /** A standard normal deviate. */
  normal(): number;
  /** A uniform integer in `[low, low + range)`, `0 < range <= 2^32`. */
  integer(low: number, range: number): number;
  /** Fills `out` with U(low, high) samples, as a uniform tensor of `out`'s dtype. */
  fillUniform(out: FloatArray, low: number, high: number): void;
  /** Fills `out` with N(mean, std²) samples, as a normal tensor of `out`'s dtype. */
  fillNormal(out: FloatArray, mean: number, std: number): void;
  /** A JSON-serialisable copy of the state. */
  getState(): State;
  /** Restores a state taken with {@link getState}. */
  setState(state: State): void;
}
