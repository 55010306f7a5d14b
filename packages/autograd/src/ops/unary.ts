import type { Tensor, UnaryGradOp } from '@proj/tensor';
import * as T from '@proj/tensor';
import { record } from '../graph.js';
import type { Variable, VariableLike } from '../variable.js';
import { lift } from './lift.js';

/** Builds a differentiable unary op from its forward and a rule `(g, x, out) → dx`. */
function unaryOp(
  name: string,
  forward: (x: Tensor) => Tensor,
  rule: (g: Tensor, x: Tensor, out: Tensor) => Tensor,
) {
  return (x: VariableLike): Variable => {
    const vx = lift(x);
    const out = forward(vx.data);
    return record(name, out, [vx], (g) => [rule(g, vx.data, out)]);
  };
}

/**
 * The rule `dx = g · f'(x)` of an activation, `@proj/tensor`'s `unaryBackward` (one fused pass where
 * the backend has the kernel), in float64 when `g` or `x` is float64, else float32.
 */
function activationRule(op: UnaryGradOp) {
  return (g: Tensor, x: Tensor): Tensor => T.unaryBackward(op, g, x);
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** Differentiable `-x`. */
export const neg = unaryOp('neg', T.neg, (g) => g.neg());
/** Differentiable `e^x`. */
export const exp = unaryOp('exp', T.exp, (g, _x, out) => g.mul(out));
/** Differentiable natural log. */
export const log = unaryOp('log', T.log, (g, x) => g.div(x));
/** Differentiable square root. */
export const sqrt = unaryOp('sqrt', T.sqrt, (g, _x, out) => g.div(out.mul(2)));
/** Differentiable `1/sqrt(x)`. */
export const rsqrt = unaryOp('rsqrt', T.rsqrt, (g, _x, out) => g.mul(out.pow(3)).mul(-0.5));
/** Differentiable tanh. */
export const tanh = unaryOp('tanh', T.tanh, activationRule('tanh'));
/** Differentiable logistic sigmoid. */
export const sigmoid = unaryOp('sigmoid', T.sigmoid, activationRule('sigmoid'));
/** Differentiable `max(x, 0)` (gradient 0 at 0). */
export const relu = unaryOp('relu', T.relu, activationRule('relu'));
/** Differentiable SiLU `x * sigmoid(x)`. */
export const silu = unaryOp('silu', T.silu, activationRule('silu'));
/** Differentiable absolute value (gradient 0 at 0). */
export const abs = unaryOp('abs', T.abs, (g, x) => g.mul(x.sign()));
/** Differentiable `x²`. */
export const square = unaryOp('square', T.square, (g, x) => g.mul(x).mul(2));
/** Differentiable `1/x`. */
export const reciprocal = unaryOp('reciprocal', T.reciprocal, (g, _x, out) => g.mul(out.square()).neg());
/** Differentiable sine. */
export const sin = unaryOp('sin', T.sin, (g, x) => g.mul(x.cos()));
/** Differentiable cosine. */
export const cos = unaryOp('cos', T.cos, (g, x) => g.mul(x.sin()).neg());
/** Differentiable error function. */
export const erf = unaryOp('erf', T.erf, (g, x) => g.mul(x.square().neg().exp()).mul(TWO_OVER_SQRT_PI));

const geluErf = unaryOp('gelu', (x) => T.gelu(x), activationRule('gelu'));
const geluTanh = unaryOp('gelu', (x) => T.gelu(x, { approximate: 'tanh' }), activationRule('geluTanh'));

/** Differentiable GELU, exact (erf) by default or GPT-2's tanh approximation. */
export function gelu(x: VariableLike, options: { approximate?: 'none' | 'tanh' } = {}): Variable {
  return options.approximate === 'tanh' ? geluTanh(x) : geluErf(x);
}

/** Differentiable clamp: the gradient passes where `min <= x <= max`. */
export function clamp(x: VariableLike, min?: number, max?: number): Variable {
  const vx = lift(x);
  return record('clamp', T.clamp(vx.data, min, max), [vx], (g) => {
    let inside = T.full(vx.shape, true);
    if (min !== undefined) inside = inside.logicalAnd(vx.data.ge(min));
    if (max !== undefined) inside = inside.logicalAnd(vx.data.le(max));
    return [g.mul(inside.to(g.dtype))];
  });
}
