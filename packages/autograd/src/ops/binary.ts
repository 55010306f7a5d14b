import type { Tensor } from '@proj/tensor';
import * as T from '@proj/tensor';
import { record } from '../graph.js';
import { sumToShape } from '../tensor-utils.js';
import type { Variable, VariableLike } from '../variable.js';
import { lift, liftPair } from './lift.js';

/** A rule computing the gradients of both operands (skipping those not needed). */
type PairRule = (
  g: Tensor,
  x: Tensor,
  y: Tensor,
  out: Tensor,
  need: readonly [boolean, boolean],
) => [Tensor | null, Tensor | null];

function binaryOp(name: string, forward: (x: Tensor, y: Tensor) => Tensor, rule: PairRule) {
  return (a: VariableLike, b: VariableLike): Variable => {
    const [va, vb] = liftPair(a, b);
    const out = forward(va.data, vb.data);
    return record(name, out, [va, vb], (g) => {
      const [ga, gb] = rule(g, va.data, vb.data, out, [va.requiresGrad, vb.requiresGrad]);
      return [ga && sumToShape(ga, va.shape), gb && sumToShape(gb, vb.shape)];
    });
  };
}

/** Weight of each operand in a max/min: 1 where it wins, 0.5 on ties (PyTorch splits ties evenly). */
function winnerWeight(x: Tensor, y: Tensor, wins: (x: Tensor, y: Tensor) => Tensor): Tensor {
  return wins(x, y).to(x.dtype).add(T.eq(x, y).to(x.dtype).mul(0.5));
}

/** Differentiable `a + b` with broadcasting. */
export const add = binaryOp('add', T.add, (g, _x, _y, _o, [na, nb]) => [na ? g : null, nb ? g : null]);
/** Differentiable `a - b` with broadcasting. */
export const sub = binaryOp('sub', T.sub, (g, _x, _y, _o, [na, nb]) => [na ? g : null, nb ? g.neg() : null]);
/** Differentiable `a * b` with broadcasting. */
export const mul = binaryOp('mul', T.mul, (g, x, y, _o, [na, nb]) => [
  na ? g.mul(y) : null,
  nb ? g.mul(x) : null,
]);
/** Differentiable `a / b` with broadcasting. */
export const div = binaryOp('div', T.div, (g, _x, y, out, [na, nb]) => [
  na ? g.div(y) : null,
  nb ? g.mul(out).div(y).neg() : null,
]);
/**
 * Differentiable `a ** b`. As PyTorch: the base gradient is 0 where `b = 0`, and the exponent
 * gradient (which needs `a > 0`) is 0 where `a = 0` and `b >= 0`, the limit of `a^b·ln a`.
 */
export const pow = binaryOp('pow', T.pow, (g, x, y, out, [na, nb]) => [
  na ? g.mul(T.where(y.eq(0), 0, y.mul(x.pow(y.sub(1))))) : null,
  nb ? g.mul(T.where(x.eq(0).logicalAnd(y.ge(0)), 0, out.mul(x.log()))) : null,
]);
/** Differentiable elementwise maximum (ties share the gradient). */
export const maximum = binaryOp('maximum', T.maximum, (g, x, y, _o, [na, nb]) => [
  na ? g.mul(winnerWeight(x, y, T.gt)) : null,
  nb ? g.mul(winnerWeight(y, x, T.gt)) : null,
]);
/** Differentiable elementwise minimum (ties share the gradient). */
export const minimum = binaryOp('minimum', T.minimum, (g, x, y, _o, [na, nb]) => [
  na ? g.mul(winnerWeight(x, y, T.lt)) : null,
  nb ? g.mul(winnerWeight(y, x, T.lt)) : null,
]);

/** `cond ? a : b`, differentiable in `a` and `b`. */
export function where(cond: Tensor, a: VariableLike, b: VariableLike): Variable {
  const [va, vb] = liftPair(a, b);
  const out = T.where(cond, va.data, vb.data);
  return record('where', out, [va, vb], (g) => [
    va.requiresGrad ? sumToShape(T.where(cond, g, 0), va.shape) : null,
    vb.requiresGrad ? sumToShape(T.where(cond, 0, g), vb.shape) : null,
  ]);
}

/** `x` with `value` where `mask` is true; no gradient flows to the filled positions. */
export function maskedFill(x: VariableLike, mask: Tensor, value: number): Variable {
  const vx = lift(x);
  return record('maskedFill', T.maskedFill(vx.data, mask, value), [vx], (g) => [T.maskedFill(g, mask, 0)]);
}

function compare(op: (x: Tensor, y: Tensor) => Tensor) {
  return (a: VariableLike, b: VariableLike): Tensor => {
    const [va, vb] = liftPair(a, b);
    return op(va.data, vb.data);
  };
}

/** `a == b` → bool Tensor (not differentiable). */
export const eq = compare(T.eq);
/** `a != b` → bool Tensor. */
export const ne = compare(T.ne);
/** `a < b` → bool Tensor. */
export const lt = compare(T.lt);
/** `a <= b` → bool Tensor. */
export const le = compare(T.le);
/** `a > b` → bool Tensor. */
export const gt = compare(T.gt);
/** `a >= b` → bool Tensor. */
export const ge = compare(T.ge);
