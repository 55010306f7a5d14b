import { full, isTensor } from '@proj/tensor';
import { isVariable, Variable, type VariableLike } from '../variable.js';

/** Turns a Tensor or number into a constant Variable (numbers take `like`'s float dtype). */
export function lift(x: VariableLike, like?: Variable): Variable {
  if (isVariable(x, 'lift')) return x;
  if (isTensor(x, 'lift')) return new Variable(x);
  return new Variable(
    full([], x, {
      dtype: like && (like.dtype === 'float64' || like.dtype === 'float32') ? like.dtype : 'float32',
    }),
  );
}

/** Lifts a pair of operands; a number takes the other operand's dtype. */
export function liftPair(a: VariableLike, b: VariableLike): [Variable, Variable] {
  const va = isVariable(a, 'lift') || isTensor(a, 'lift') ? lift(a) : undefined;
  const vb = isVariable(b, 'lift') || isTensor(b, 'lift') ? lift(b) : undefined;
  return [va ?? lift(a, vb), vb ?? lift(b, va)];
}
