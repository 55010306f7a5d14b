import { defaultGenerator, type Generator, rand, randn } from '@proj/tensor';
import type { Parameter } from './module.js';

/**
 * In-place parameter initialisers, as `torch.nn.init`. Each takes an optional {@link Generator}
 * (default: the one set by `manualSeed`) so model initialisation is reproducible.
 */

/** Options shared by the random initialisers. */
export interface InitOptions {
  generator?: Generator;
}

/** Fan-in and fan-out of a weight `[out, in, ...kernel]` (PyTorch's convention). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new Error(`init: fan in/out need at least 2 dims, got [${shape.join(', ')}]`);
  const receptive = shape.slice(2).reduce((p, d) => p * d, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** Fills with N(mean, std²). */
export function normal(p: Parameter, options: InitOptions & { mean?: number; std?: number } = {}): Parameter {
  const { mean = 0, std = 1, generator = defaultGenerator() } = options;
  p.data = randn(p.shape, { dtype: p.dtype, generator, mean, std });
  return p;
}

/** Fills with U(low, high). */
export function uniform(
  p: Parameter,
  options: InitOptions & { low?: number; high?: number } = {},
): Parameter {
  const { low = 0, high = 1, generator = defaultGenerator() } = options;
  p.data = rand(p.shape, { dtype: p.dtype, generator, low, high });
  return p;
}

/** Fills with a constant. */
export function constant(p: Parameter, value: number): Parameter {
  p.data = p.data.clone().assign(value);
  return p;
}

/** Fills with zeros. */
export function zeros(p: Parameter): Parameter {
  return constant(p, 0);
}

/** Fills with ones. */
export function ones(p: Parameter): Parameter {
  return constant(p, 1);
}

/** Glorot/Xavier uniform: U(−a, a) with `a = gain·sqrt(6 / (fanIn + fanOut))`. */
export function xavierUniform(p: Parameter, options: InitOptions & { gain?: number } = {}): Parameter {
  const { fanIn, fanOut } = fans(p.shape);
  const a = (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(p, { ...options, low: -a, high: a });
}

/** Glorot/Xavier normal: N(0, gain²·2 / (fanIn + fanOut)). */
export function xavierNormal(p: Parameter, options: InitOptions & { gain?: number } = {}): Parameter {
  const { fanIn, fanOut } = fans(p.shape);
  return normal(p, { ...options, std: (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)) });
}

/** Options of the Kaiming initialisers. */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the following leaky ReLU (default 0: ReLU). */
  a?: number;
  /** Preserve the variance of activations (`fanIn`, default) or of gradients (`fanOut`). */
  mode?: 'fanIn' | 'fanOut';
}

function kaimingStd(p: Parameter, options: KaimingOptions): number {
  const { fanIn, fanOut } = fans(p.shape);
  const a = options.a ?? 0;
  const gain = Math.sqrt(2 / (1 + a * a)); // torch's calculate_gain('leaky_relu', a), in the same order
  return gain / Math.sqrt(options.mode === 'fanOut' ? fanOut : fanIn);
}

/** He/Kaiming uniform: U(−b, b) with `b = gain·sqrt(3 / fan)`. */
export function kaimingUniform(p: Parameter, options: KaimingOptions = {}): Parameter {
  const bound = Math.sqrt(3) * kaimingStd(p, options);
  return uniform(p, { ...options, low: -bound, high: bound });
}

/** He/Kaiming normal: N(0, gain² / fan). */
export function kaimingNormal(p: Parameter, options: KaimingOptions = {}): Parameter {
  return normal(p, { ...options, std: kaimingStd(p, options) });
}
