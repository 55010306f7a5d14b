import type { Tensor } from '@proj/tensor';
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

const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_2_OVER_PI = 0.7978845608028654;
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
export const tanh = unaryOp('tanh', T.tanh, (g, _x, out) => g.mul(out.square().neg().add(1)));
/** Differentiable logistic sigmoid. */
export const sigmoid = unaryOp('sigmoid', T.sigmoid, (g, _x, out) => g.mul(out).mul(out.neg().add(1)));
/** Differentiable `max(x, 0)` (gradient 0 at 0). */
export const relu = unaryOp('relu', T.relu, (g, x) => g.mul(x.gt(0).to(g.dtype)));
/** Differentiable SiLU `x * sigmoid(x)`. */
export const silu = unaryOp('silu', T.silu, (g, x) => {
  const s = x.sigmoid();
  return g.mul(s.mul(x.mul(s.neg().add(1)).add(1)));
});
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

const geluErf = unaryOp(
  'gelu',
  (x) => T.gelu(x),
  (g, x) => {
    // d/dx x·Φ(x) = Φ(x) + x·φ(x)
    const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
    const pdf = x.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
    return g.mul(cdf.add(x.mul(pdf)));
  },
);

const geluTanh = unaryOp(
  'gelu',
  (x) => T.gelu(x, { approximate: 'tanh' }),
  (g, x) => {
    const x2 = x.square();
    const t = x.add(x2.mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI).tanh();
    const dInner = x2
      .mul(3 * 0.044715)
      .add(1)
      .mul(SQRT_2_OVER_PI);
    return g.mul(
      t
        .add(1)
        .mul(0.5)
        .add(x.mul(0.5).mul(t.square().neg().add(1)).mul(dInner)),
    );
  },
);

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
