import type { Storage } from '../../backend/memory.js';
import type { AnyBackend } from '../../backend/registry.js';
import { DeviceMemoryError, DTypeError, fmtShape, ShapeError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { add, div, mul, sub } from '../binary.js';
import { sqrt, square } from '../unary.js';
import { denseOperand, floatDTypeOf, fusedBackend, isDense } from './kernel-operands.js';

/** Hyper-parameters of one {@link adamwStep} (PyTorch's `AdamW` names, camel-cased). */
export interface AdamWStepOptions {
  lr: number;
  /** Decay rates of the first and second moment averages. */
  betas: readonly [number, number];
  eps: number;
  /** Decoupled weight decay (0 makes the step Adam's). */
  weightDecay: number;
  /** 1-based count of this step, for the bias corrections. */
  step: number;
}

/**
 * One AdamW step in place, as PyTorch's fused `AdamW`: `p ← p·(1 − lr·λ)`,
 * `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)`. Writes
 * `param`, `expAvg` and `expAvgSq` (each a dense tensor: contiguous over its whole storage, as an
 * optimizer allocates them); `grad` is read in the parameter's dtype. The backend's fused `adamw`
 * kernel when it has one (one pass), else primitive ops written back with `assign`.
 *
 * Shapes: all four of one size (the gradient may be a view).
 * @throws DTypeError for non-float operands; ShapeError when sizes differ or an updated tensor is not dense.
 * @example adamwStep(p.data, p.grad, m, v, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, step: 1 });
 */
export function adamwStep(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  options: AdamWStepOptions,
): void {
  const op = 'adamwStep';
  const dtype = floatDTypeOf(op, param, 'param');
  floatDTypeOf(op, grad, 'grad');
  for (const [name, t] of [
    ['param', param],
    ['expAvg', expAvg],
    ['expAvgSq', expAvgSq],
    ['grad', grad],
  ] as const) {
    if (t.size !== param.size)
      throw new ShapeError(
        `${op}: ${name} ${fmtShape(t.shape)} has ${t.size} elements, param ${fmtShape(param.shape)} ${param.size}`,
      );
    if (name === 'grad') continue;
    if (t.dtype !== dtype) throw new DTypeError(`${op}: ${name} is ${t.dtype} but param is ${dtype}`);
    if (!isDense(t))
      throw new ShapeError(
        `${op}: ${name} ${fmtShape(t.shape)} is a view; the step writes it in place, so it must be contiguous over its whole storage (clone it first)`,
      );
  }
  const { lr, eps, weightDecay, step } = options;
  const [beta1, beta2] = options.betas;
  const backend = fusedBackend(op, param, grad, expAvg, expAvgSq);
  if (!backend.adamw) {
    const g = grad.to(dtype).reshape(param.shape);
    const m = add(mul(expAvg, beta1), mul(g, 1 - beta1));
    const v = add(mul(expAvgSq, beta2), mul(square(g), 1 - beta2));
    const denominator = add(div(sqrt(v), Math.sqrt(1 - beta2 ** step)), eps);
    const update = div(mul(m, lr / (1 - beta1 ** step)), denominator);
    expAvg.assign(m.reshape(expAvg.shape));
    expAvgSq.assign(v.reshape(expAvgSq.shape));
    param.assign(sub(mul(param, 1 - lr * weightDecay), update));
    return;
  }
  backend.adamw({
    param: inPlaceOperand(op, 'param', param, backend),
    grad: denseOperand(op, grad, dtype, backend),
    m: inPlaceOperand(op, 'expAvg', expAvg, backend),
    v: inPlaceOperand(op, 'expAvgSq', expAvgSq, backend),
    lr,
    beta1,
    beta2,
    eps,
    weightDecay,
    step,
  });
}

/**
 * The storage of a dense tensor a kernel updates in place, which must be in the memory `backend`'s
 * kernels write (a host tensor is not, beside operands in a device's memory: its upload would be
 * updated instead).
 * @throws DeviceMemoryError naming `op` and the operand otherwise.
 */
function inPlaceOperand(op: string, name: string, t: Tensor, backend: AnyBackend): Storage {
  const storage = denseOperand(op, t, t.dtype, backend);
  if (storage !== t.buffer)
    throw new DeviceMemoryError(
      `${op}: ${name} is updated in place but lives in host memory while other operands live in ${backend.name} memory; create it under setBackend('${backend.name}')`,
    );
  return storage;
}
