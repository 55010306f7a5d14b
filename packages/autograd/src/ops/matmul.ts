import type { Tensor } from '@proj/tensor';
import * as T from '@proj/tensor';
import { record } from '../graph.js';
import { sumToShape } from '../tensor-utils.js';
import type { Variable, VariableLike } from '../variable.js';
import { liftPair } from './lift.js';

/**
 * True when the last two axes of `t` are a transposed row-major matrix (a `.transpose(-2, -1)`
 * view, as the weight in `x · Wᵀ`) and its batch axes match `like`'s (no broadcasting).
 */
function transposedLike(t: Tensor, like: Tensor): boolean {
  const n = t.ndim;
  if (n !== like.ndim || t.shape.some((d, i) => i < n - 2 && d !== like.shape[i])) return false;
  const rows = t.shape[n - 2]!;
  return rows > 1 && t.shape[n - 1]! > 1 && t.strides[n - 2] === 1 && t.strides[n - 1] === rows;
}

/**
 * Differentiable batched matmul (PyTorch semantics, 1-D operands included):
 * `dA = dOut · Bᵀ`, `dB = Aᵀ · dOut`, summed over broadcast batch axes. Transposes are views. An
 * operand that is a transposed view gets its gradient in that layout (`dB = (dOutᵀ · A)ᵀ`), so the
 * gradient of `x · Wᵀ` reaches `W` row-major, with no strided copy.
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
    const t = (m: Tensor) => m.transpose(-2, -1);
    const ga = !va.requiresGrad
      ? null
      : transposedLike(x, grad)
        ? t(T.matmul(y, t(grad)))
        : sumToShape(T.matmul(grad, t(y)), x.shape);
    const gb = !vb.requiresGrad
      ? null
      : transposedLike(y, grad)
        ? t(T.matmul(t(grad), x))
        : sumToShape(T.matmul(t(x), grad), y.shape);
    return [
      ga && (va.ndim === 1 ? ga.reshape(va.shape) : ga),
      gb && (vb.ndim === 1 ? gb.reshape(vb.shape) : gb),
    ];
  });
}
