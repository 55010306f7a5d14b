import { zeros } from '@proj/tensor';
import * as init from '../init.js';
import type { LayerOptions } from '../layers/linear.js';
import { Parameter } from '../module.js';

/**
 * PyTorch's initialisation of every recurrent weight and bias: a factory of parameters of any shape
 * drawn from U(−1/√H, 1/√H), in `options.dtype` (default float32) from `options.generator`.
 */
export function recurrentParameters(
  hiddenSize: number,
  options: LayerOptions,
): (shape: number[]) => Parameter {
  const dtype = options.dtype ?? 'float32';
  const bound = 1 / Math.sqrt(hiddenSize);
  const uniform = { low: -bound, high: bound, generator: options.generator };
  return (shape) => init.uniform(new Parameter(zeros(shape, { dtype })), uniform);
}
