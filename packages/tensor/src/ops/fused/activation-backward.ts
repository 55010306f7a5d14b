import type { UnaryGradOp } from '../../backend/backend.js';
import { fmtShape, ShapeError } from '../../errors.js';
import { SQRT_2_OVER_PI } from '../../math.js';
import type { Tensor } from '../../tensor.js';
import { add, gt, mul, sub, where } from '../binary.js';
import { erf, exp, sigmoid, square, tanh } from '../unary.js';
import { denseOperand, type FloatDType, fusedBackend, kernelOutput } from './kernel-operands.js';

/** 1/√(2π) */
const INV_SQRT_2PI = 0.3989422804014327;
/** The cubic coefficient of GPT-2's tanh GELU. */
const GELU_CUBIC = 0.044715;

/**
 * Gradient of an activation from its input, `dx = dy · f'(x)`, as PyTorch's `gelu_backward`,
 * `silu_backward`, `threshold_backward` (ReLU, gradient 0 at 0), `sigmoid_backward` and
 * `tanh_backward`: `gelu` `Φ(x) + x·φ(x)`, `geluTanh` the derivative of GPT-2's tanh form, `silu`
 * `σ(x)·(1 + x·(1 − σ(x)))`, `sigmoid` `σ(x)·(1 − σ(x))`, `tanh` `1 − tanh²(x)`. One pass on the
 * backend's fused `unaryBackward` kernel when it has one, else primitive ops.
 *
 * Shapes: `dy` and `x` alike → `dx` of that shape, in float64 when either is float64, else float32.
 * @throws ShapeError when the shapes differ.
 * @example const dx = unaryBackward('gelu', dy, x);
 */
export function unaryBackward(op: UnaryGradOp, dy: Tensor, x: Tensor): Tensor {
  const name = 'unaryBackward';
  if (dy.ndim !== x.ndim || dy.shape.some((d, i) => d !== x.shape[i]))
    throw new ShapeError(`${name}: gradient ${fmtShape(dy.shape)} must match input ${fmtShape(x.shape)}`);
  const dtype: FloatDType = dy.dtype === 'float64' || x.dtype === 'float64' ? 'float64' : 'float32';
  const backend = fusedBackend(name, dy, x);
  if (!backend.unaryBackward) {
    const [g, input] = [dy.to(dtype), x.to(dtype)];
    return op === 'relu' ? where(gt(input, 0), g, 0) : mul(g, derivative(op, input));
  }
  const dx = kernelOutput(backend, dtype, x.shape);
  backend.unaryBackward(
    op,
    denseOperand(name, x, dtype, backend),
    denseOperand(name, dy, dtype, backend),
    dx.buffer,
  );
  return dx;
}

/** `f'(x)` of the smooth activation `op` from primitive ops. */
function derivative(op: Exclude<UnaryGradOp, 'relu'>, x: Tensor): Tensor {
  switch (op) {
    case 'sigmoid': {
      const s = sigmoid(x);
      return mul(s, sub(1, s));
    }
    case 'tanh':
      return sub(1, square(tanh(x)));
    case 'silu': {
      const s = sigmoid(x);
      return mul(s, add(1, mul(x, sub(1, s))));
    }
    case 'gelu': {
      const cdf = mul(add(1, erf(mul(x, Math.SQRT1_2))), 0.5);
      return add(cdf, mul(x, mul(exp(mul(square(x), -0.5)), INV_SQRT_2PI)));
    }
    case 'geluTanh': {
      const x2 = square(x);
      const t = tanh(mul(add(x, mul(mul(x2, x), GELU_CUBIC)), SQRT_2_OVER_PI));
      const du = mul(add(1, mul(x2, 3 * GELU_CUBIC)), SQRT_2_OVER_PI);
      return add(mul(add(1, t), 0.5), mul(mul(mul(x, sub(1, square(t))), du), 0.5));
    }
    default:
      throw new Error(`unaryBackward: unknown op '${String(op)}'`);
  }
}
