import { allocStorage, type DType, type FloatArray, isFloatDType } from '../dtype.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { checkShape, type Shape, shapeSize } from '../shape.js';
import { contiguousData, placed } from '../storage.js';
import { Tensor } from '../tensor.js';

/** Options shared by random creation functions. */
export interface RandomOptions {
  /** Floating dtype of the result (default `float32`). */
  dtype?: DType;
  /** Source of randomness (default: the generator set by `manualSeed`). */
  generator?: Generator;
}

function floatStorage(op: string, shape: Shape, dtype: DType = 'float32') {
  checkShape(op, shape);
  if (!isFloatDType(dtype)) throw new DTypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  return allocStorage(dtype, shapeSize(shape));
}

/**
 * Uniform samples in [low, high) (default [0, 1)), as `torch.rand` / `Tensor.uniform_`.
 * @example rand([2, 3], { low: -1, high: 1, generator: new Generator(0) })
 */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const g = options.generator ?? defaultGenerator();
  const storage = floatStorage('rand', shape, options.dtype);
  g.fillUniform(storage as FloatArray, options.low ?? 0, options.high ?? 1);
  return new Tensor(placed(storage), [...shape]);
}

/**
 * Standard normal samples, scaled by `std` and shifted by `mean` when given, as `torch.randn` /
 * `Tensor.normal_`.
 * @example randn([2, 3], { std: 0.02, generator: new Generator(0) })
 */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const g = options.generator ?? defaultGenerator();
  const storage = floatStorage('randn', shape, options.dtype);
  g.fillNormal(storage as FloatArray, options.mean ?? 0, options.std ?? 1);
  return new Tensor(placed(storage), [...shape]);
}

/** Uniform integers in [low, high) as `int32`. */
export function randint(
  low: number,
  high: number,
  shape: Shape,
  options: { generator?: Generator } = {},
): Tensor {
  checkShape('randint', shape);
  if (
    !Number.isInteger(low) ||
    !Number.isInteger(high) ||
    high <= low ||
    low < -2147483648 ||
    high > 2147483648
  ) {
    throw new RangeError(
      `randint: need integers with -2^31 <= low < high <= 2^31 (int32), got [${low}, ${high})`,
    );
  }
  const g = options.generator ?? defaultGenerator();
  const storage = allocStorage('int32', shapeSize(shape));
  for (let i = 0; i < storage.length; i++) storage[i] = g.integer(low, high);
  return new Tensor(placed(storage), [...shape]);
}

/**
 * A random permutation of `0 … n−1` as `int32` `[n]`, as `torch.randperm`: for each `i < n − 1`, swap
 * entry `i` with entry `i + generator.integer(0, n − i)`.
 * @example randperm(5, { generator: new Generator(0) })
 */
export function randperm(n: number, options: { generator?: Generator } = {}): Tensor {
  if (!(Number.isInteger(n) && n >= 0 && n <= 2147483648))
    throw new RangeError(`randperm: n must be an integer in [0, 2^31], got ${n}`);
  const g = options.generator ?? defaultGenerator();
  const out = allocStorage('int32', n) as Int32Array;
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const j = i + g.integer(0, n - i);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return new Tensor(placed(out), [n]);
}

/** A `bool` tensor whose entries are true with probability `p` (dropout masks). */
export function bernoulli(shape: Shape, p: number, options: { generator?: Generator } = {}): Tensor {
  checkShape('bernoulli', shape);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: p must be in [0, 1], got ${p}`);
  const g = options.generator ?? defaultGenerator();
  const storage = allocStorage('bool', shapeSize(shape));
  for (let i = 0; i < storage.length; i++) storage[i] = g.uniform() < p ? 1 : 0;
  return new Tensor(placed(storage), [...shape]);
}

/**
 * Samples category indices from each row of non-negative weights `probs` (`[C]` or `[N, C]`, need not
 * sum to 1). Returns `int32` `[numSamples]` or `[N, numSamples]`.
 * @throws RangeError for negative, non-finite or all-zero rows, or too many samples without replacement.
 */
export function multinomial(
  probs: Tensor,
  numSamples: number,
  options: { replacement?: boolean; generator?: Generator } = {},
): Tensor {
  if (probs.ndim !== 1 && probs.ndim !== 2) {
    throw new ShapeError(`multinomial: probs must be 1-D or 2-D, got ${fmtShape(probs.shape)}`);
  }
  const g = options.generator ?? defaultGenerator();
  const replacement = options.replacement ?? false;
  if (!Number.isInteger(numSamples) || numSamples < 0)
    throw new RangeError(`multinomial: numSamples must be a non-negative integer, got ${numSamples}`);
  const cols = probs.shape[probs.ndim - 1]!;
  const rows = probs.ndim === 2 ? probs.shape[0]! : 1;
  if (!replacement && numSamples > cols) {
    throw new RangeError(
      `multinomial: cannot draw ${numSamples} samples from ${cols} categories without replacement`,
    );
  }
  const weights = Float64Array.from(contiguousData(probs, 'float64') as Float64Array);
  const out = allocStorage('int32', rows * numSamples);
  for (let r = 0; r < rows; r++) {
    const row = weights.subarray(r * cols, (r + 1) * cols);
    let total = 0;
    let positive = 0;
    for (const w of row) {
      if (!(w >= 0) || !Number.isFinite(w))
        throw new RangeError(`multinomial: row ${r} has a negative or non-finite weight ${w}`);
      total += w;
      if (w > 0) positive++;
    }
    for (let s = 0; s < numSamples; s++) {
      if (positive === 0) throw new RangeError(`multinomial: row ${r} has no positive weight left to sample`);
      const target = g.uniform() * total;
      let acc = 0;
      let pick = -1;
      for (let c = 0; c < cols; c++) {
        if (row[c]! <= 0) continue;
        pick = c;
        acc += row[c]!;
        if (target < acc) break;
      }
      out[r * numSamples + s] = pick;
      if (!replacement) {
        row[pick] = 0;
        positive--;
        total = 0; // re-summed, not decremented: rounding must not leave weight where none is
        for (const w of row) total += w;
      }
    }
  }
  return new Tensor(out, probs.ndim === 2 ? [rows, numSamples] : [numSamples]);
}
