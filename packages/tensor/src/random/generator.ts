import type { FloatArray } from '../dtype.js';
import type { RandomEngine } from './engine.js';
import { TorchEngine, type TorchGeneratorState } from './torch-engine.js';
import { XoshiroEngine, type XoshiroState } from './xoshiro.js';

export type { TorchGeneratorState } from './torch-engine.js';
export type { XoshiroState } from './xoshiro.js';

/**
 * The bit generator and sampling formulas behind a {@link Generator}:
 * - `'xoshiro128**'` (default): xoshiro128** seeded through splitmix32, 53-bit uniforms, unbiased
 *   integers by rejection.
 * - `'torch'`: PyTorch's CPU generator — mt19937 seeded as `torch.manual_seed(seed)` and torch's CPU
 *   formulas for `rand`, `randn`, `randint` and `randperm`, so a seed gives the same initial
 *   weights and the same data order as a PyTorch program calling the same functions in the same
 *   order (normals to an ulp or two: torch's vectorised sin/cos/log round differently).
 *   Dropout masks and `multinomial` use their own formulas and do not follow torch's stream.
 */
export type GeneratorAlgorithm = 'xoshiro128**' | 'torch';

/** Options of {@link Generator}. */
export interface GeneratorOptions {
  /** Default `'xoshiro128**'`. */
  algorithm?: GeneratorAlgorithm;
}

/** The serialisable state of a {@link Generator}, for checkpoints; it names its algorithm. */
export type GeneratorState = XoshiroState | TorchGeneratorState;

type AnyEngine = RandomEngine<GeneratorState>;

function createEngine(algorithm: GeneratorAlgorithm): AnyEngine {
  if (algorithm === 'xoshiro128**') return new XoshiroEngine() as AnyEngine;
  if (algorithm === 'torch') return new TorchEngine() as AnyEngine;
  throw new RangeError(
    `Generator: unknown algorithm ${JSON.stringify(algorithm)} (use 'xoshiro128**' or 'torch')`,
  );
}

/**
 * A seedable random number generator. A seed gives the same numbers on every platform and engine.
 * With `{ algorithm: 'torch' }` it also gives the numbers PyTorch's CPU generator gives after
 * `torch.manual_seed(seed)` (see {@link GeneratorAlgorithm}).
 * @example
 * const g = new Generator(1337); g.uniform();
 * const t = new Generator(1337, { algorithm: 'torch' }); randn([2, 3], { generator: t }); // torch.manual_seed(1337); torch.randn(2, 3)
 */
export class Generator {
  private engine: AnyEngine;
  private algo: GeneratorAlgorithm;

  /** @param seed any integer in ±2^53; defaults to 0. */
  constructor(seed = 0, options: GeneratorOptions = {}) {
    this.algo = options.algorithm ?? 'xoshiro128**';
    this.engine = createEngine(this.algo);
    this.manualSeed(seed);
  }

  /** The bit generator and sampling formulas in use. */
  get algorithm(): GeneratorAlgorithm {
    return this.algo;
  }

  /** Restarts the stream from `seed` (the `'torch'` algorithm uses its low 32 bits, as torch). */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed))
      throw new RangeError(`Generator: seed must be a safe integer, got ${seed}`);
    this.engine.seed(seed);
    return this;
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    return this.engine.nextUint32();
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    return this.engine.uniform();
  }

  /** A uniform number in [0, 1) with 24 random bits: exactly representable in float32, never rounds up to 1. */
  uniform24(): number {
    return this.engine.uniform24();
  }

  /** A standard normal deviate (Box–Muller; the second deviate of each pair is kept for the next call). */
  normal(): number {
    return this.engine.normal();
  }

  /**
   * A uniform integer in [low, high): without modulo bias for `'xoshiro128**'`, as torch's
   * `randint` (a word modulo the range) for `'torch'`.
   */
  integer(low: number, high: number): number {
    const range = high - low;
    if (!Number.isInteger(low) || !Number.isInteger(high) || range <= 0 || range > 4294967296) {
      throw new RangeError(
        `Generator.integer: need integers with 0 < high - low <= 2^32, got [${low}, ${high})`,
      );
    }
    return this.engine.integer(low, range);
  }

  /**
   * Fills `out` with U(low, high) samples as a uniform tensor of its dtype (`rand`, `uniform_`):
   * 24-bit uniforms for float32, 53-bit for float64.
   */
  fillUniform(out: FloatArray, low = 0, high = 1): void {
    if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high))
      throw new RangeError(`Generator.fillUniform: need finite low <= high, got [${low}, ${high})`);
    this.engine.fillUniform(out, low, high);
  }

  /** Fills `out` with N(mean, std²) samples as a normal tensor of its dtype (`randn`, `normal_`). */
  fillNormal(out: FloatArray, mean = 0, std = 1): void {
    if (!(Number.isFinite(mean) && std >= 0 && Number.isFinite(std)))
      throw new RangeError(
        `Generator.fillNormal: need a finite mean and std >= 0, got mean ${mean}, std ${std}`,
      );
    this.engine.fillNormal(out, mean, std);
  }

  /** A copy of the state, for checkpoints (JSON-serialisable; it records the algorithm). */
  getState(): GeneratorState {
    return this.engine.getState();
  }

  /** Restores a state taken with {@link getState}, switching to the state's algorithm if needed. */
  setState(state: GeneratorState): this {
    const algorithm = state.algorithm ?? 'xoshiro128**';
    if (algorithm !== this.algo) {
      this.engine = createEngine(algorithm);
      this.algo = algorithm;
    }
    this.engine.setState(state);
    return this;
  }

  /** An independent generator continuing from this one's current state. */
  clone(): Generator {
    return new Generator(0, { algorithm: this.algo }).setState(this.getState());
  }
}

let defaultGen = new Generator(0);

/** Seeds the default generator used by random functions called without one. */
export function manualSeed(seed: number, options: GeneratorOptions = {}): Generator {
  defaultGen = new Generator(seed, options);
  return defaultGen;
}

/** The default generator (seeded with 0 until {@link manualSeed} is called). */
export function defaultGenerator(): Generator {
  return defaultGen;
}
