import type { FloatArray } from '../../dtype.js';
import { erfc, erfcFast, SQRT_2_OVER_PI } from '../../math.js';
import type { UnaryGradOp } from '../backend.js';

/** 1/√(2π) */
const INV_SQRT_2PI = 0.3989422804014327;

/** Reference activation backward: `dx = dy · f'(x)`, computed in double precision. */
export function unaryBackward(op: UnaryGradOp, x: FloatArray, dy: FloatArray, dx: FloatArray): void {
  const n = x.length;
  switch (op) {
    case 'gelu': {
      // d/dx x·Φ(x) = Φ(x) + x·φ(x), Φ(x) = erfc(−x/√2)/2
      const erfcFn = x instanceof Float64Array ? erfc : erfcFast;
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        dx[i] = dy[i]! * (0.5 * erfcFn(-v * Math.SQRT1_2) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
      }
      return;
    }
    case 'geluTanh':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const t = Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
        const du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
        dx[i] = dy[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du);
      }
      return;
    case 'silu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const s = sigmoid(v);
        dx[i] = dy[i]! * s * (1 + v * (1 - s));
      }
      return;
    case 'relu':
      for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 ? dy[i]! : 0;
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const s = sigmoid(x[i]!);
        dx[i] = dy[i]! * s * (1 - s);
      }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) {
        const t = Math.tanh(x[i]!);
        dx[i] = dy[i]! * (1 - t * t);
      }
      return;
    default:
      throw new Error(`unaryBackward kernel: unknown op '${String(op)}'`);
  }
}

function sigmoid(v: number): number {
  return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
}
