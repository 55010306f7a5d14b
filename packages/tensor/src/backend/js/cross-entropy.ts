import type { CrossEntropyArgs, CrossEntropyBackwardArgs } from '../backend.js';

/** Throws unless every target is `ignoreIndex` or a class in `[0, classes)`. */
export function checkTargets(targets: Int32Array, rows: number, classes: number, ignoreIndex: number): void {
  for (let r = 0; r < rows; r++) {
    const t = targets[r]!;
    if (t !== ignoreIndex && !(t >= 0 && t < classes))
      throw new RangeError(`crossEntropy: target ${t} at row ${r} is outside [0, ${classes})`);
  }
}

/** Reference fused cross-entropy forward (double precision per row). */
export function crossEntropy(args: CrossEntropyArgs): void {
  const { logits: x, targets, losses, lse, rows, classes, ignoreIndex, labelSmoothing: s } = args;
  checkTargets(targets, rows, classes, ignoreIndex);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let peak = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < classes; j++) if (x[base + j]! > peak) peak = x[base + j]!;
    if (peak === Number.NEGATIVE_INFINITY) peak = 0;
    let total = 0;
    let rowSum = 0;
    for (let j = 0; j < classes; j++) {
      total += Math.exp(x[base + j]! - peak);
      rowSum += x[base + j]!;
    }
    const logZ = peak + Math.log(total);
    lse[r] = logZ;
    const t = targets[r]!;
    losses[r] = t === ignoreIndex ? 0 : (1 - s) * (logZ - x[base + t]!) + s * (logZ - rowSum / classes);
  }
}

/** Reference fused cross-entropy backward. */
export function crossEntropyBackward(args: CrossEntropyBackwardArgs): void {
  const { logits: x, targets, lse, scale, dlogits, rows, classes, ignoreIndex, labelSmoothing: s } = args;
  const uniform = s / classes;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    const t = targets[r]!;
    if (t === ignoreIndex) {
      dlogits.fill(0, base, base + classes);
      continue;
    }
    const g = typeof scale === 'number' ? scale : scale[r]!;
    const logZ = lse[r]!;
    for (let j = 0; j < classes; j++) dlogits[base + j] = g * (Math.exp(x[base + j]! - logZ) - uniform);
    dlogits[base + t] = g * (Math.exp(x[base + t]! - logZ) - uniform - (1 - s));
  }
}
