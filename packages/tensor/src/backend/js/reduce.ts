import type { FloatArray, TypedArray } from '../../dtype.js';
import type { ReduceOp } from '../backend.js';

/** Reference reduction of each row of a contiguous `[outer, inner]` block. NaN propagates through max/min. */
export function reduce(op: ReduceOp, x: TypedArray, out: TypedArray, outer: number, inner: number): void {
  for (let r = 0; r < outer; r++) {
    const start = r * inner;
    const end = start + inner;
    switch (op) {
      case 'sum': {
        // Pairwise-ish: four accumulators keep float32 rounding error low and the loop fast.
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let i = start;
        for (; i + 3 < end; i += 4) {
          s0 += x[i]!;
          s1 += x[i + 1]!;
          s2 += x[i + 2]!;
          s3 += x[i + 3]!;
        }
        for (; i < end; i++) s0 += x[i]!;
        out[r] = s0 + s1 + (s2 + s3);
        break;
      }
      case 'prod': {
        let p = 1;
        for (let i = start; i < end; i++) p *= x[i]!;
        out[r] = p;
        break;
      }
      case 'max':
      case 'min':
      case 'argmax':
      case 'argmin': {
        const wantMax = op === 'max' || op === 'argmax';
        let best = x[start]!;
        let bestIndex = 0;
        for (let i = start + 1; i < end; i++) {
          const v = x[i]!;
          if (best !== best) break; // NaN wins and stays
          if (v !== v || (wantMax ? v > best : v < best)) {
            best = v;
            bestIndex = i - start;
          }
        }
        out[r] = op === 'max' || op === 'min' ? best : bestIndex;
        break;
      }
      default:
        throw new Error(`reduce kernel: unknown op '${String(op)}'`);
    }
  }
}

/** Reference numerically stable softmax / log-softmax over each contiguous row. */
export function softmax(x: FloatArray, out: FloatArray, rows: number, cols: number, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const end = start + cols;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = start; i < end; i++) if (x[i]! > max) max = x[i]!;
    if (max === Number.NEGATIVE_INFINITY) max = 0; // a fully masked row gives NaN below, as PyTorch
    let sum = 0;
    if (log) {
      for (let i = start; i < end; i++) sum += Math.exp(x[i]! - max);
      const logSum = Math.log(sum);
      // (x - max) - log(sum): subtracting max first keeps float64 precision when |max| is large.
      for (let i = start; i < end; i++) out[i] = x[i]! - max - logSum;
    } else {
      for (let i = start; i < end; i++) {
        const e = Math.exp(x[i]! - max);
        out[i] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let i = start; i < end; i++) out[i]! *= inv;
    }
  }
}

/** Reference softmax / log-softmax backward from the forward output `y` (row sums in double precision). */
export function softmaxBackward(
  y: FloatArray,
  dy: FloatArray,
  dx: FloatArray,
  rows: number,
  cols: number,
  log: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const end = start + cols;
    let sum = 0;
    if (log) {
      for (let i = start; i < end; i++) sum += dy[i]!;
      for (let i = start; i < end; i++) dx[i] = dy[i]! - Math.exp(y[i]!) * sum;
    } else {
      for (let i = start; i < end; i++) sum += dy[i]! * y[i]!;
      for (let i = start; i < end; i++) dx[i] = y[i]! * (dy[i]! - sum);
    }
  }
}
