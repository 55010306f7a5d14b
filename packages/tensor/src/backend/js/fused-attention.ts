import type { FloatArray } from '../../dtype.js';
import type { AttentionArgs, AttentionBackwardArgs, MatrixBatch } from '../backend.js';

/** Keys query `i` may see: all `S`, or with `causal` those `j ≤ i + S − L` (none when negative). */
export function visibleKeys(i: number, L: number, S: number, causal: boolean): number {
  return causal ? Math.max(0, Math.min(S, i + S - L + 1)) : S;
}

type ScoreArgs = Pick<
  AttentionArgs,
  'q' | 'k' | 'mask' | 'maskBatch' | 'groups' | 'L' | 'S' | 'E' | 'scale' | 'causal'
>;

/**
 * Row `i` of batch entry `b`: `scale·q·kᵀ + mask` over the visible keys into `x` (−∞ beyond), in
 * double precision; returns the number of visible keys.
 */
function scoreRow(a: ScoreArgs, b: number, i: number, x: Float64Array): number {
  const { q, k, mask, maskBatch, groups, L, S, E, scale, causal } = a;
  const vis = visibleKeys(i, L, S, causal);
  const qi = q.offsets[b]! + i * q.rowStride;
  const kb = k.offsets[Math.floor(b / groups)]!;
  const mi = mask ? ((maskBatch === 1 ? 0 : b) * L + i) * S : 0;
  for (let j = 0; j < S; j++) {
    if (j >= vis) {
      x[j] = Number.NEGATIVE_INFINITY;
      continue;
    }
    let dot = 0;
    const kj = kb + j * k.rowStride;
    for (let e = 0; e < E; e++) dot += q.data[qi + e * q.colStride]! * k.data[kj + e * k.colStride]!;
    x[j] = scale * dot + (mask ? mask[mi + j]! : 0);
  }
  return vis;
}

/** Reference fused attention forward, in double precision per row; see {@link AttentionArgs}. */
export function attention(a: AttentionArgs): void {
  const { v, out, lse, batch, groups, L, S, Ev } = a;
  const x = new Float64Array(S);
  for (let b = 0; b < batch; b++) {
    const vb = v.offsets[Math.floor(b / groups)]!;
    for (let i = 0; i < L; i++) {
      scoreRow(a, b, i, x);
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < S; j++) max = Math.max(max, x[j]!);
      if (max === Number.NEGATIVE_INFINITY) max = 0; // no visible key: 0/0 below gives NaN, as PyTorch
      let sum = 0;
      for (let j = 0; j < S; j++) sum += Math.exp(x[j]! - max);
      const row = b * L + i;
      lse[row] = max + Math.log(sum);
      for (let j = 0; j < S; j++) x[j] = Math.exp(x[j]! - max) / sum;
      for (let c = 0; c < Ev; c++) {
        let acc = 0;
        for (let j = 0; j < S; j++) acc += x[j]! * v.data[vb + j * v.rowStride + c * v.colStride]!;
        out[row * Ev + c] = acc;
      }
    }
  }
}

/**
 * Reference fused attention backward, recomputing the weights `P = exp(x − lse)` row by row:
 * `dV += Pᵀ·dO`, `dS = P ⊙ (dO·Vᵀ − rowsum(dO ⊙ O))`, `dQ = scale·dS·K`, `dK += scale·dSᵀ·Q`.
 */
export function attentionBackward(a: AttentionBackwardArgs): void {
  const { q, k, v, out, lse, dout, dq, dk, dv, batch, groups, L, S, E, Ev, scale } = a;
  dk.fill(0);
  dv.fill(0);
  const x = new Float64Array(S);
  const dqRow = new Float64Array(E);
  for (let b = 0; b < batch; b++) {
    const g = Math.floor(b / groups);
    for (let i = 0; i < L; i++) {
      scoreRow(a, b, i, x);
      const row = b * L + i;
      const o = row * Ev;
      const qi = q.offsets[b]! + i * q.rowStride;
      const go = dout.offsets[b]! + i * dout.rowStride;
      const gc = dout.colStride;
      let d = 0;
      for (let c = 0; c < Ev; c++) d += dout.data[go + c * gc]! * out[o + c]!;
      dqRow.fill(0);
      for (let j = 0; j < S; j++) {
        const p = Math.exp(x[j]! - lse[row]!);
        if (p === 0) continue;
        const vj = v.offsets[g]! + j * v.rowStride;
        const kj = k.offsets[g]! + j * k.rowStride;
        const gv = (g * S + j) * Ev;
        const gk = (g * S + j) * E;
        let dp = 0;
        for (let c = 0; c < Ev; c++) {
          dp += dout.data[go + c * gc]! * v.data[vj + c * v.colStride]!;
          dv[gv + c] = dv[gv + c]! + p * dout.data[go + c * gc]!;
        }
        const ds = scale * p * (dp - d);
        for (let e = 0; e < E; e++) {
          dqRow[e] = dqRow[e]! + ds * k.data[kj + e * k.colStride]!;
          dk[gk + e] = dk[gk + e]! + ds * q.data[qi + e * q.colStride]!;
        }
      }
      dq.set(dqRow, row * E);
    }
  }
}

/** `count` contiguous `[rows, cols]` matrices of `data` as a {@link MatrixBatch}. */
export function contiguousBatch(data: FloatArray, count: number, rows: number, cols: number): MatrixBatch {
  const offsets = Int32Array.from({ length: count }, (_, b) => b * rows * cols);
  return { data, offsets, rowStride: cols, colStride: 1 };
}
