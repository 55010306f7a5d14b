import type { FloatArray } from '../dtype.js';
import type { RandomEngine } from './engine.js';
import { MT19937 } from './mt19937.js';

/** The serialisable state of a `Generator` with the `'torch'` algorithm. */
export interface TorchGeneratorState {
  algorithm: 'torch';
  /** The 624 mt19937 state words. */
  words: number[];
  /** Index of the next state word (624: regenerate first). */
  index: number;
  /** The cached second deviate of the last double-precision Box–Muller pair, if unused. */
  spareNormal: number | null;
}

const f = Math.fround;
const TWO_POW_M24 = 2 ** -24;
const TWO_POW_32 = 2 ** 32;
const TWO_POW_M53 = 2 ** -53;
const TWO_PI_F = f(2 * Math.PI);

/**
 * PyTorch's CPU generator (`torch.manual_seed`, `at::CPUGeneratorImpl`): mt19937 seeded with the
 * seed's low 32 bits, and torch's CPU sampling formulas, so that the same seed and the same calls
 * give the same numbers as torch — for `rand`/`uniform_`, `randn`/`normal_`, `randint` and `randperm`.
 *
 * - 32-bit draws are mt19937 words; 64-bit draws are two words, the first one high.
 * - Uniform float32: the low 24 bits of one word times 2^-24, then `x·(to − from) + from` in float32
 *   (one rounding: torch's kernel compiles to a fused multiply-add).
 *   Uniform float64: the low 53 bits of a 64-bit draw times 2^-53.
 * - Integers in `[low, low + range)`: `word % range + low` (a 64-bit draw when range = 2^32).
 * - Normal, tensors of 16 or more elements: fill with uniforms first, then Box–Muller in blocks of
 *   16 (`u1 = 1 − d[j]`, `u2 = d[j+8]` for j < 8 give `d[j] = r·cos θ`, `d[j+8] = r·sin θ`); when the
 *   size is not a multiple of 16, 16 fresh uniforms overwrite the last 16 slots and are transformed
 *   again. Fewer than 16 elements: double-precision Box–Muller on two 53-bit uniforms, the sine
 *   deviate cached in the generator for the next small normal call.
 */
export class TorchEngine implements RandomEngine<TorchGeneratorState> {
  private readonly mt = new MT19937();
  private spare: number | null = null;

  seed(seed: number): void {
    this.mt.seed(seed);
    this.spare = null;
  }

  nextUint32(): number {
    return this.mt.next();
  }

  uniform(): number {
    const hi = this.mt.next();
    const lo = this.mt.next();
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) * TWO_POW_M53;
  }

  uniform24(): number {
    return (this.mt.next() & 0xffffff) * TWO_POW_M24;
  }

  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u1 = this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  integer(low: number, range: number): number {
    if (range < TWO_POW_32) return (this.mt.next() % range) + low;
    this.mt.next(); // the high word of a 64-bit draw: 2^64 % 2^32 keeps only the low one
    return this.mt.next() + low;
  }

  fillUniform(out: FloatArray, low: number, high: number): void {
    if (out instanceof Float64Array) {
      const span = high - low;
      for (let i = 0; i < out.length; i++) out[i] = this.uniform() * span + low;
      return;
    }
    const from = f(low);
    const span = f(f(high) - from);
    // x·span is exact in a double, so the store rounds once, like a float32 fused multiply-add
    for (let i = 0; i < out.length; i++) out[i] = this.uniform24() * span + from;
  }

  fillNormal(out: FloatArray, mean: number, std: number): void {
    const n = out.length;
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.normal() * std + mean;
      return;
    }
    const double = out instanceof Float64Array;
    const m = double ? mean : f(mean);
    const s = double ? std : f(std);
    const block = double ? boxMuller16Double : boxMuller16Float;
    this.fillUniformUnit(out, 0, n);
    for (let i = 0; i + 16 <= n; i += 16) block(out, i, m, s);
    if (n % 16 !== 0) {
      // torch redraws the last 16 values and transforms them again
      this.fillUniformUnit(out, n - 16, n);
      block(out, n - 16, m, s);
    }
  }

  getState(): TorchGeneratorState {
    return { algorithm: 'torch', words: [...this.mt.words], index: this.mt.index, spareNormal: this.spare };
  }

  setState(state: TorchGeneratorState): void {
    if (state.words.length !== 624 || !(state.index >= 0 && state.index <= 624))
      throw new RangeError(
        `Generator.setState: a torch state needs 624 words and an index in [0, 624], got ${state.words.length} words and index ${state.index}`,
      );
    this.mt.words.set(state.words);
    this.mt.index = state.index;
    this.spare = state.spareNormal;
  }

  /** U[0, 1) into `out[start, end)`: 24 bits for float32, 53 bits for float64. */
  private fillUniformUnit(out: FloatArray, start: number, end: number): void {
    if (out instanceof Float64Array) for (let i = start; i < end; i++) out[i] = this.uniform();
    else for (let i = start; i < end; i++) out[i] = this.uniform24();
  }
}

/** Box–Muller on 16 float32 uniforms at `o`, in float32 arithmetic, as torch's `normal_fill_16`. */
function boxMuller16Float(d: FloatArray, o: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - d[o + j]!; // [0, 1) -> (0, 1] for log; exact in float32
    const u2 = d[o + j + 8]!;
    const radius = f(Math.sqrt(f(-2 * f(Math.log(u1)))));
    const theta = f(TWO_PI_F * u2);
    d[o + j] = f(radius * f(Math.cos(theta))) * std + mean;
    d[o + j + 8] = f(radius * f(Math.sin(theta))) * std + mean;
  }
}

/** Box–Muller on 16 float64 uniforms at `o`, as torch's `normal_fill_16<double>`. */
function boxMuller16Double(d: FloatArray, o: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - d[o + j]!;
    const u2 = d[o + j + 8]!;
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    d[o + j] = radius * Math.cos(theta) * std + mean;
    d[o + j + 8] = radius * Math.sin(theta) * std + mean;
  }
}
