import { isDeviceStorage } from '../../backend/memory.js';
import { DTypeError, fmtShape, ShapeError } from '../../errors.js';
import { isTensor, type Tensor } from '../../tensor.js';
import { add, eq, ge, logicalOr, lt, mul, ne, sub, where } from '../binary.js';
import { arange } from '../creation.js';
import { gather } from '../gather.js';
import { argmax, logsumexp, max, mean } from '../reduce.js';
import { exp } from '../unary.js';
import { denseOperand, floatDTypeOf, fusedBackend, kernelOutput } from './kernel-operands.js';

/** Options of {@link crossEntropyForward} and {@link crossEntropyBackward}. */
export interface CrossEntropyKernelOptions {
  /** Rows whose target equals this get loss 0 and gradient 0 (default -100, as PyTorch). */
  ignoreIndex?: number;
  /** Mixes the one-hot target with the uniform distribution by this amount (default 0). */
  labelSmoothing?: number;
}

/** What {@link crossEntropyForward} returns. */
export interface CrossEntropyResult {
  /** Per-row loss `[rows]`, 0 for ignored rows. */
  losses: Tensor;
  /** Per-row log-sum-exp of the logits `[rows]`, kept for {@link crossEntropyBackward}. */
  lse: Tensor;
}

/**
 * Cross-entropy of each row of unnormalised `logits` against its class in `targets`:
 * `losses[r] = (1 − s)·(lse − x[t]) + s·(lse − mean(x))` with `s = labelSmoothing` and
 * `lse = log Σ exp(x)` (also returned, for the backward); rows whose target is `ignoreIndex` get
 * loss 0. Runs the backend's fused `crossEntropy` kernel when it has one, else primitive ops.
 *
 * Shapes: `logits` `[rows, C]` (float), `targets` `[rows]` (int32) → `losses`, `lse` `[rows]`.
 * @throws ShapeError or DTypeError for bad operands; RangeError naming the row for a target outside
 * `[0, C)` that is not ignored (targets in a device's memory are checked by its kernel, or not at all
 * on the composed path).
 * @example const { losses, lse } = crossEntropyForward(logits, targets, { ignoreIndex: -100 });
 */
export function crossEntropyForward(
  logits: Tensor,
  targets: Tensor,
  options: CrossEntropyKernelOptions = {},
): CrossEntropyResult {
  const op = 'crossEntropyForward';
  const { dtype, rows, classes, ignoreIndex, labelSmoothing } = checkOperands(op, logits, targets, options);
  const backend = fusedBackend(op, logits, targets);
  if (!backend.crossEntropy) {
    checkTargets(targets, classes, ignoreIndex);
    const lse = logsumexp(logits, -1);
    const ignored = eq(targets, ignoreIndex);
    const picked = gather(logits, 1, where(ignored, 0, targets).unsqueeze(1)).squeeze(1);
    let losses = mul(sub(lse, picked), 1 - labelSmoothing);
    if (labelSmoothing !== 0) losses = add(losses, mul(sub(lse, mean(logits, -1)), labelSmoothing));
    return { losses: where(ignored, 0, losses), lse };
  }
  const losses = kernelOutput(backend, dtype, [rows]);
  const lse = kernelOutput(backend, dtype, [rows]);
  backend.crossEntropy({
    logits: denseOperand(op, logits, dtype, backend),
    targets: denseOperand(op, targets, 'int32', backend),
    losses: losses.buffer,
    lse: lse.buffer,
    rows,
    classes,
    ignoreIndex,
    labelSmoothing,
  });
  return { losses, lse };
}

/**
 * Gradient of {@link crossEntropyForward}'s per-row losses with respect to the logits, from the
 * forward's `lse`: `dlogits[r] = scale[r]·(softmax(x[r]) − s/C − (1 − s)·onehot(t[r]))`, zero for
 * ignored rows. `scale` is the upstream gradient of each row's loss: one number for every row (`g`
 * for a sum, `g / count` for a mean) or a `[rows]` tensor (no reduction).
 *
 * Shapes: `logits` `[rows, C]`, `targets` and `lse` `[rows]` → `dlogits` `[rows, C]` in the logits' dtype.
 * @throws ShapeError or DTypeError for bad operands.
 */
export function crossEntropyBackward(
  logits: Tensor,
  targets: Tensor,
  lse: Tensor,
  scale: number | Tensor,
  options: CrossEntropyKernelOptions = {},
): Tensor {
  const op = 'crossEntropyBackward';
  const { dtype, rows, classes, ignoreIndex, labelSmoothing } = checkOperands(op, logits, targets, options);
  for (const [name, t] of [
    ['lse', lse],
    ['scale', scale],
  ] as const) {
    if (isTensor(t, op) && (t.ndim !== 1 || t.shape[0] !== rows))
      throw new ShapeError(
        `${op}: ${name} ${fmtShape(t.shape)} must be [${rows}] for logits ${fmtShape(logits.shape)}`,
      );
  }
  const backend = fusedBackend(op, logits, targets, lse, scale);
  if (!backend.crossEntropyBackward) {
    const ignored = eq(targets, ignoreIndex).unsqueeze(1);
    const target = eq(arange(0, classes, 1, { dtype: 'int32' }), targets.unsqueeze(1));
    const probs = exp(sub(logits, lse.to(dtype).unsqueeze(1)));
    const shifted = sub(sub(probs, labelSmoothing / classes), mul(target.to(dtype), 1 - labelSmoothing));
    const rowScale = typeof scale === 'number' ? scale : scale.to(dtype).unsqueeze(1);
    return where(ignored, 0, mul(shifted, rowScale));
  }
  const dlogits = kernelOutput(backend, dtype, [rows, classes]);
  backend.crossEntropyBackward({
    logits: denseOperand(op, logits, dtype, backend),
    targets: denseOperand(op, targets, 'int32', backend),
    lse: denseOperand(op, lse, dtype, backend),
    scale: typeof scale === 'number' ? scale : denseOperand(op, scale, dtype, backend),
    dlogits: dlogits.buffer,
    rows,
    classes,
    ignoreIndex,
    labelSmoothing,
  });
  return dlogits;
}

function checkOperands(op: string, logits: Tensor, targets: Tensor, options: CrossEntropyKernelOptions) {
  const dtype = floatDTypeOf(op, logits, 'logits');
  if (targets.dtype !== 'int32') throw new DTypeError(`${op}: targets must be int32, got ${targets.dtype}`);
  if (logits.ndim !== 2 || targets.ndim !== 1 || targets.shape[0] !== logits.shape[0])
    throw new ShapeError(
      `${op}: expected logits [rows, C] and targets [rows]; got logits ${fmtShape(logits.shape)}, targets ${fmtShape(targets.shape)}`,
    );
  const { ignoreIndex = -100, labelSmoothing = 0 } = options;
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
    throw new RangeError(`${op}: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  return { dtype, rows: logits.shape[0]!, classes: logits.shape[1]!, ignoreIndex, labelSmoothing };
}

/**
 * The fused kernels' target check for the composed path: every target is `ignoreIndex` or a class in
 * `[0, classes)`. Targets in a device's memory cannot be read synchronously and are not checked.
 * @throws RangeError naming the first bad target and its row.
 */
function checkTargets(targets: Tensor, classes: number, ignoreIndex: number): void {
  if (isDeviceStorage(targets.buffer) || targets.size === 0) return;
  const bad = logicalOr(lt(targets, 0), ge(targets, classes)).logicalAnd(ne(targets, ignoreIndex));
  if (max(bad).item() === 0) return;
  const row = argmax(bad.to('int32')).item();
  throw new RangeError(
    `crossEntropy: target ${targets.select(0, row).item()} at row ${row} is outside [0, ${classes})`,
  );
}
