import * as T from '@proj/tensor';
import { record } from '../graph.js';
import { sumToShape } from '../tensor-utils.js';
import type { Variable, VariableLike } from '../variable.js';
import { liftPair } from './lift.js';

/**
 * Differentiable batched matmul (PyTorch semantics, 1-D operands included):
 * `dA = dOut · Bᵀ`, `dB = Aᵀ · dOut`, summed over broadcast batch axes. Transposes are views.
 */
export function matmul(a: VariableLike, b: VariableLike): Variable {
  const [va, vb] = liftPair(a, b);
  const out = T.matmul(va.data, vb.data);
  return record('matmul', out, [va, vb], (g) => {
    const x = va.ndim === 1 ? va.data.unsqueeze(0) : va.data;
    const y = vb.ndim === 1 ? vb.data.unsqueeze(-1) : vb.data;
    let grad = g;
    if (va.ndim === 1) grad = grad.unsqueeze(vb.ndim === 1 ? 0 : -2);
    if (vb.ndim === 1) grad = grad.unsqueeze(-1);
    const ga = va.requiresGrad
      ? sumToShape(T.matmul(grad, y.transpose(-2, -1)), x.shape).reshape(va.shape)
      : null;
    const gb = vb.requiresGrad
      ? sumToShape(T.matmul(x.transpose(-2, -1), grad), y.shape).reshape(vb.shape)
      : null;
    return [ga, gb];
  });
}
