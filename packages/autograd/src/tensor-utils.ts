import { sum, type Tensor } from '@proj/tensor';

export type { Tensor } from '@proj/tensor';

/** Formats a tensor's shape as `[2, 3]` for messages. */
export function fmtShapeOf(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/**
 * Sums a broadcast gradient back to `shape`: over the leading axes broadcasting added and over axes
 * where `shape` has size 1. Every broadcasting op's backward ends with this.
 */
export function sumToShape(grad: Tensor, shape: readonly number[]): Tensor {
  if (grad.shape.length === shape.length && grad.shape.every((d, i) => d === shape[i])) return grad;
  const lead = grad.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  const reduced = axes.length > 0 ? sum(grad, axes, { keepdim: true }) : grad;
  return reduced.reshape(shape);
}
