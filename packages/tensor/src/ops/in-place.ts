import { backendFor } from '../backend/registry.js';
import { contiguousStrides } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { mul } from './binary.js';
import { floatDTypeOf, isDense } from './fused/kernel-operands.js';

/**
 * Multiplies `t` by `factor` in place (PyTorch's `t.mul_(factor)`), as gradient clipping scales
 * gradients. It runs where `t` lives, as every op does: for a dense `t` in host memory (whatever
 * backend is active) the product is taken in double precision and rounded once to `t`'s dtype, exactly
 * as a loop `t[i] *= factor` over the storage computes it, in one pass on a host backend; in a
 * device's memory (or for a view) the product `mul(t, factor)` is written back with `assign`.
 * @throws DTypeError for a non-float `t`.
 * @example mulInPlace(p.grad, maxNorm / (total + 1e-6));
 */
export function mulInPlace(t: Tensor, factor: number): void {
  floatDTypeOf('mulInPlace', t);
  const backend = backendFor('mulInPlace', t);
  if (backend.memory === 'host' && isDense(t)) {
    // Host kernels read each element before writing it, so the product may overwrite its operand.
    const scalar = { data: Float64Array.of(factor), offset: 0, strides: t.shape.map(() => 0) };
    const self = { data: t.buffer, offset: 0, strides: contiguousStrides(t.shape) };
    backend.binary('mul', self, scalar, t.buffer, t.shape);
    return;
  }
  t.assign(mul(t, factor));
}
