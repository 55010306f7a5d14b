import { full, Tensor } from '@proj/tensor';
import { Variable, type VariableLike } from '../variable.js';

/** Turns a Tensor or number into a constant Variable (numbers take `like`'s float dtype). */
export function lift(x: VariableLike, like?: Variable): Variable {
  if (x instanceof Variable) return x;
  if (x instanceof Tensor) return new Variable(x);
  return new Variable(
    full([], x, {
      dtype: like && (like.dtype === 'float64' || like.dtype === 'float32') ? like.dtype : 'float32',
    }),
  );
}

/** Lifts a pair of operands; a number takes the other operand's dtype. */
export function liftPair(a: VariableLike, b: VariableLike): [Variable, Variable] {
  const va = a instanceof Variable || a instanceof Tensor ? lift(a) : undefined;
  const vb = b instanceof Variable || b instanceof Tensor ? lift(b) : undefined;
  return [va ?? lift(a, vb), vb ?? lift(b, va)];
}
