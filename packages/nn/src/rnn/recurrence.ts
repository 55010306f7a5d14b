import { GradFn, isGradEnabled, narrow, reshape, Variable } from '@proj/autograd';
import { DTypeError, type FloatArray, ShapeError, sum, Tensor, matmul as tensorMatmul } from '@proj/tensor';
import {
  backwardRow,
  type CellKind,
  forwardRow,
  GATE_COUNT,
  type RecurrenceBuffers,
  type RecurrenceGrads,
} from './gate-kernels.js';

/** Layout and order of one fused recurrence. */
export interface RecurrenceOptions {
  kind: CellKind;
  /** Time steps `T`. */
  steps: number;
  /** Batch size `B`. */
  batch: number;
  /** Rows of the input projection and of the output are `b·T + t` (else `t·B + b`). */
  batchFirst: boolean;
  /** Run each sequence from its last real step back to step 0 (the backward direction). */
  reverse: boolean;
  /** Real length of each sequence (`null`: all `T`); padded steps leave the state alone and output 0. */
  lengths: Int32Array | null;
}

/** What {@link recurrence} returns: the outputs and the final states, all differentiable. */
export interface RecurrenceResult {
  /** `[T, B, H]`, or `[B, T, H]` when batch-first; zero at padded steps. */
  output: Variable;
  /** Hidden state after each sequence's last real step, `[B, H]`. */
  h: Variable;
  /** LSTM cell state after each sequence's last real step, `[B, H]` (`null` for other cells). */
  c: Variable | null;
}

type FloatDType = 'float32' | 'float64';

/**
 * One direction of one recurrent layer over a whole sequence as a single graph node with a
 * hand-written backward (backpropagation through time in a loop, so any length is stack-safe).
 * The input projection `xProj = x·W_ihᵀ + b_ih` (`[T·B, G·H]`) is computed by the caller with one
 * matmul; per step this runs one `[B, H]·[H, G·H]` matmul plus the gate math, a host-memory loop over
 * buffers allocated once for the sequence (so its inputs must be readable synchronously). Backward
 * does one `[B, G·H]·[G·H, H]` matmul per step and a single `[G·H, T·B]·[T·B, H]` matmul for `dW_hh`.
 *
 * Shapes: `xProj` `[T·B, G·H]`, `h0`/`c0` `[B, H]`, `wHH` `[G·H, H]`, `bHH` `[G·H]`.
 * @throws ShapeError or DTypeError naming the mismatching operand.
 */
export function recurrence(
  xProj: Variable,
  h0: Variable,
  c0: Variable | null,
  wHH: Variable,
  bHH: Variable | null,
  options: RecurrenceOptions,
): RecurrenceResult {
  const { kind, steps: T, batch: B, batchFirst, reverse } = options;
  const H = wHH.shape[1]!;
  const G = GATE_COUNT[kind] * H;
  validate(xProj, h0, c0, wHH, bHH, kind, T, B, H, G);
  const dtype = xProj.dtype as FloatDType;
  const lengths = options.lengths ?? new Int32Array(B).fill(T);
  const xRow = (b: number, s: number): number => {
    const t = reverse ? lengths[b]! - 1 - s : s;
    return batchFirst ? b * T + t : t * B + b;
  };

  const buffers: RecurrenceBuffers = {
    H,
    xp: xProj.data.contiguous().data() as FloatArray,
    pre: hostArray(dtype, T * B * G),
    hs: hostArray(dtype, (T + 1) * B * H),
    cs: kind === 'lstm' ? hostArray(dtype, (T + 1) * B * H) : null,
    hn: kind === 'gru' ? hostArray(dtype, T * B * H) : null,
  };
  const { pre, hs, cs } = buffers;
  hs.set(h0.data.contiguous().data() as FloatArray);
  if (cs && c0) cs.set(c0.data.contiguous().data() as FloatArray);
  // Packed result: outputs in the caller's layout, then h_n, then (LSTM) c_n.
  const packed = hostArray(dtype, (T * B + (cs ? 2 : 1) * B) * H);
  const wT = wHH.data.transpose(0, 1).contiguous(); // [H, G·H]
  const bias = bHH ? (bHH.data.contiguous().data() as FloatArray) : null;

  for (let s = 0; s < T; s++) {
    const preStep = pre.subarray(s * B * G, (s + 1) * B * G);
    preStep.set(rowsTimes(hs.subarray(s * B * H, (s + 1) * B * H), B, wT));
    if (bias) for (let r = 0; r < B * G; r++) preStep[r]! += bias[r % G]!;
    for (let b = 0; b < B; b++) {
      const from = (s * B + b) * H;
      const to = from + B * H;
      if (s < lengths[b]!) {
        const row = xRow(b, s);
        forwardRow(kind, buffers, row, s * B + b, B);
        packed.set(hs.subarray(to, to + H), row * H);
      } else {
        hs.copyWithin(to, from, from + H);
        cs?.copyWithin(to, from, from + H);
      }
    }
  }
  const finalH = hs.subarray(T * B * H);
  packed.set(finalH, T * B * H);
  if (cs) packed.set(cs.subarray(T * B * H), (T + 1) * B * H);

  const inputs = [xProj, h0, ...(c0 ? [c0] : []), wHH, ...(bHH ? [bHH] : [])];
  const out = new Tensor(packed, [packed.length]);
  const result =
    isGradEnabled() && inputs.some((v) => v.requiresGrad)
      ? Variable.fromOp(
          out,
          new GradFn(`${kind}Recurrence`, inputs, (g) => {
            const grads = backward(
              g.contiguous().data() as FloatArray,
              buffers,
              wHH,
              kind,
              T,
              B,
              lengths,
              xRow,
            );
            return [
              grads.dxp.reshape(xProj.shape),
              grads.dh0,
              ...(c0 ? [grads.dc0] : []),
              wHH.requiresGrad ? grads.dW() : null,
              ...(bHH ? [bHH.requiresGrad ? grads.db() : null] : []),
            ];
          }),
        )
      : new Variable(out);
  const layout = batchFirst ? [B, T, H] : [T, B, H];
  return {
    output: reshape(narrow(result, 0, 0, T * B * H), layout),
    h: reshape(narrow(result, 0, T * B * H, B * H), [B, H]),
    c: cs ? reshape(narrow(result, 0, (T + 1) * B * H, B * H), [B, H]) : null,
  };
}

/** Backpropagation through time over the saved buffers; `g` is the gradient of the packed result. */
function backward(
  g: FloatArray,
  v: RecurrenceBuffers,
  wHH: Variable,
  kind: CellKind,
  T: number,
  B: number,
  lengths: Int32Array,
  xRow: (b: number, s: number) => number,
) {
  const { H, xp } = v;
  const G = GATE_COUNT[kind] * H;
  const dtype = wHH.dtype as FloatDType;
  const d: RecurrenceGrads = {
    dxp: hostArray(dtype, xp.length),
    dhh: hostArray(dtype, T * B * G),
    dh: hostArray(dtype, B * H),
    dc: hostArray(dtype, B * H),
    direct: hostArray(dtype, B * H),
  };
  d.dh.set(g.subarray(T * B * H, (T + 1) * B * H));
  if (v.cs) d.dc.set(g.subarray((T + 1) * B * H, (T + 2) * B * H));
  const w = wHH.data.contiguous(); // [G·H, H]
  for (let s = T - 1; s >= 0; s--) {
    for (let b = 0; b < B; b++) {
      if (s >= lengths[b]!) continue;
      const row = xRow(b, s);
      for (let j = 0; j < H; j++) d.dh[b * H + j]! += g[row * H + j]!;
      backwardRow(kind, v, d, row, s * B + b, b, B);
    }
    const scratch = rowsTimes(d.dhh.subarray(s * B * G, (s + 1) * B * G), B, w);
    for (let b = 0; b < B; b++) {
      if (s >= lengths[b]!) continue;
      for (let j = b * H; j < (b + 1) * H; j++) d.dh[j] = scratch[j]! + d.direct[j]!;
    }
  }
  const dhh = new Tensor(d.dhh, [T * B, G]);
  return {
    dxp: new Tensor(d.dxp, [xp.length]),
    dh0: new Tensor(d.dh, [B, H]),
    dc0: new Tensor(d.dc, [B, H]),
    dW: () => tensorMatmul(dhh.transpose(0, 1), new Tensor(v.hs.subarray(0, T * B * H), [T * B, H])),
    db: () => sum(dhh, 0),
  };
}

/** A zeroed host array of `n` elements of `dtype`, for the recurrence's own buffers. */
function hostArray(dtype: FloatDType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** `a·w` for `m` contiguous rows `a` (`[m, k]`) and a contiguous `[k, n]` tensor `w`, as a fresh array. */
function rowsTimes(a: FloatArray, m: number, w: Tensor): FloatArray {
  return tensorMatmul(new Tensor(a, [m, w.shape[0]!]), w).data() as FloatArray;
}

function validate(
  xProj: Variable,
  h0: Variable,
  c0: Variable | null,
  wHH: Variable,
  bHH: Variable | null,
  kind: CellKind,
  T: number,
  B: number,
  H: number,
  G: number,
): void {
  const op = `${kind}Recurrence`;
  const expect = (name: string, v: Variable | null, shape: number[]) => {
    if (!v) return;
    if (v.dtype !== xProj.dtype)
      throw new DTypeError(`${op}: ${name} is ${v.dtype} but the input projection is ${xProj.dtype}`);
    if (v.ndim !== shape.length || v.shape.some((n, i) => n !== shape[i]))
      throw new ShapeError(`${op}: ${name} must be [${shape.join(', ')}], got [${v.shape.join(', ')}]`);
  };
  if (xProj.dtype !== 'float32' && xProj.dtype !== 'float64')
    throw new DTypeError(`${op}: expected float32 or float64, got ${xProj.dtype}`);
  expect('input projection', xProj, [T * B, G]);
  expect('h0', h0, [B, H]);
  expect('c0', c0, [B, H]);
  expect('weight_hh', wHH, [G, H]);
  expect('bias_hh', bHH, [G]);
  if (kind === 'lstm' && !c0) throw new ShapeError(`${op}: an LSTM needs c0`);
}
