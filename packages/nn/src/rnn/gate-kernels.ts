import type { FloatArray } from '@proj/tensor';

/** The recurrent cell a fused recurrence runs: Elman RNN (tanh or relu), LSTM or GRU. */
export type CellKind = 'tanh' | 'relu' | 'lstm' | 'gru';

/** Gate blocks per cell, in PyTorch's row layout of `weight_ih`/`weight_hh`: LSTM i,f,g,o; GRU r,z,n. */
export const GATE_COUNT: Readonly<Record<CellKind, number>> = { tanh: 1, relu: 1, lstm: 4, gru: 3 };

/**
 * What one fused recurrence keeps for its backward, all in processing order (step `s`, batch row
 * `b`): `pre` holds the hidden projection `W_hh·h + b_hh` on the way in and the gate activations once
 * the step ran; `hs`/`cs` hold the states before (`s`) and after (`s + 1`) each step.
 */
export interface RecurrenceBuffers {
  readonly H: number;
  /** Input projection `x·W_ihᵀ + b_ih`, `[rows, G·H]` in the caller's layout. */
  readonly xp: FloatArray;
  /** `[T, B, G·H]`. */
  readonly pre: FloatArray;
  /** Hidden states `[T + 1, B, H]`; `hs[0]` is `h0`. */
  readonly hs: FloatArray;
  /** LSTM cell states `[T + 1, B, H]`. */
  readonly cs: FloatArray | null;
  /** GRU only: `W_hn·h + b_hn`, `[T, B, H]` (the part the reset gate multiplies). */
  readonly hn: FloatArray | null;
}

/** Gradient buffers of one backward pass. */
export interface RecurrenceGrads {
  /** d/d(input projection), `[rows, G·H]` in the caller's layout. */
  readonly dxp: FloatArray;
  /** d/d(hidden projection), `[T, B, G·H]` (equal to `dxp`'s rows except GRU's n block). */
  readonly dhh: FloatArray;
  /** Running d/dh, `[B, H]`: on entry the gradient reaching `h` after the step. */
  readonly dh: FloatArray;
  /** Running d/dc (LSTM), `[B, H]`: on entry after the step, on exit before it. */
  readonly dc: FloatArray;
  /** Part of d/dh_prev that bypasses `W_hh` (GRU's `z ⊙ dh`), `[B, H]`. */
  readonly direct: FloatArray;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Runs the gate math of one row (input-projection row `xRow`, processing index `sb = s·B + b`,
 * `B` rows per step): reads `pre` (hidden projection) and the previous state, writes activations into
 * `pre` and the next state into `hs`/`cs`.
 */
export function forwardRow(kind: CellKind, v: RecurrenceBuffers, xRow: number, sb: number, B: number): void {
  const { H, xp, pre, hs } = v;
  const G = GATE_COUNT[kind] * H;
  const xo = xRow * G;
  const po = sb * G;
  const hp = sb * H;
  const hq = hp + B * H;
  switch (kind) {
    case 'tanh':
    case 'relu':
      for (let j = 0; j < H; j++) {
        const a = xp[xo + j]! + pre[po + j]!;
        const h = kind === 'tanh' ? Math.tanh(a) : a > 0 ? a : 0;
        pre[po + j] = h;
        hs[hq + j] = h;
      }
      return;
    case 'lstm': {
      const cs = v.cs!;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(xp[xo + j]! + pre[po + j]!);
        const f = sigmoid(xp[xo + H + j]! + pre[po + H + j]!);
        const g = Math.tanh(xp[xo + 2 * H + j]! + pre[po + 2 * H + j]!);
        const o = sigmoid(xp[xo + 3 * H + j]! + pre[po + 3 * H + j]!);
        const c = f * cs[hp + j]! + i * g;
        pre[po + j] = i;
        pre[po + H + j] = f;
        pre[po + 2 * H + j] = g;
        pre[po + 3 * H + j] = o;
        cs[hq + j] = c;
        hs[hq + j] = o * Math.tanh(c);
      }
      return;
    }
    case 'gru': {
      const hn = v.hn!;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(xp[xo + j]! + pre[po + j]!);
        const z = sigmoid(xp[xo + H + j]! + pre[po + H + j]!);
        const hidden = pre[po + 2 * H + j]!;
        const n = Math.tanh(xp[xo + 2 * H + j]! + r * hidden);
        hn[hp + j] = hidden;
        pre[po + j] = r;
        pre[po + H + j] = z;
        pre[po + 2 * H + j] = n;
        hs[hq + j] = n + z * (hs[hp + j]! - n);
      }
      return;
    }
  }
}

/**
 * Backpropagates one row through its gates: from `dh` (and `dc`) after the step, writes the
 * pre-activation gradients into `dxp` (row `xRow`) and `dhh` (row `sb`), the part of d/dh_prev that
 * skips `W_hh` into `direct`, and replaces `dc` with d/dc_prev.
 */
export function backwardRow(
  kind: CellKind,
  v: RecurrenceBuffers,
  d: RecurrenceGrads,
  xRow: number,
  sb: number,
  b: number,
  B: number,
): void {
  const { H, pre, hs } = v;
  const { dxp, dhh, dh, dc, direct } = d;
  const G = GATE_COUNT[kind] * H;
  const xo = xRow * G;
  const po = sb * G;
  const hp = sb * H;
  const hq = hp + B * H;
  const r0 = b * H;
  switch (kind) {
    case 'tanh':
    case 'relu':
      for (let j = 0; j < H; j++) {
        const h = pre[po + j]!;
        const da = kind === 'tanh' ? dh[r0 + j]! * (1 - h * h) : h > 0 ? dh[r0 + j]! : 0;
        dxp[xo + j] = da;
        dhh[po + j] = da;
        direct[r0 + j] = 0;
      }
      return;
    case 'lstm': {
      const cs = v.cs!;
      for (let j = 0; j < H; j++) {
        const i = pre[po + j]!;
        const f = pre[po + H + j]!;
        const g = pre[po + 2 * H + j]!;
        const o = pre[po + 3 * H + j]!;
        const tc = Math.tanh(cs[hq + j]!);
        const gh = dh[r0 + j]!;
        const dct = dc[r0 + j]! + gh * o * (1 - tc * tc);
        const dai = dct * g * i * (1 - i);
        const daf = dct * cs[hp + j]! * f * (1 - f);
        const dag = dct * i * (1 - g * g);
        const dao = gh * tc * o * (1 - o);
        dxp[xo + j] = dhh[po + j] = dai;
        dxp[xo + H + j] = dhh[po + H + j] = daf;
        dxp[xo + 2 * H + j] = dhh[po + 2 * H + j] = dag;
        dxp[xo + 3 * H + j] = dhh[po + 3 * H + j] = dao;
        dc[r0 + j] = dct * f;
        direct[r0 + j] = 0;
      }
      return;
    }
    case 'gru': {
      const hn = v.hn!;
      for (let j = 0; j < H; j++) {
        const r = pre[po + j]!;
        const z = pre[po + H + j]!;
        const n = pre[po + 2 * H + j]!;
        const gh = dh[r0 + j]!;
        const dan = gh * (1 - z) * (1 - n * n);
        const dar = dan * hn[hp + j]! * r * (1 - r);
        const daz = gh * (hs[hp + j]! - n) * z * (1 - z);
        dxp[xo + j] = dar;
        dxp[xo + H + j] = daz;
        dxp[xo + 2 * H + j] = dan;
        dhh[po + j] = dar;
        dhh[po + H + j] = daz;
        dhh[po + 2 * H + j] = dan * r;
        direct[r0 + j] = gh * z;
      }
      return;
    }
  }
}
