import type { FloatArray } from '../../dtype.js';
import type { AttentionArgs, AttentionBackwardArgs } from '../backend.js';
import type { WasmRuntime } from './runtime.js';

const f32 = (a: FloatArray | null): a is Float32Array => a instanceof Float32Array;

/**
 * Bytes of an operand block of `rows` rows of `cols` floats, padded by 4 rows and 8 floats: the
 * kernel's 4x8 tiles read up to 3 rows past a row-major operand and 7 floats past its end.
 */
const block = (rows: number, cols: number) => 4 * ((rows + 4) * cols + 8);

/** Arena addresses of the operands both passes read, and the mask's stride in bytes. */
function layout(rt: WasmRuntime, a: AttentionArgs | AttentionBackwardArgs, extra: readonly number[]) {
  const { batch, groups, L, S, E, Ev, mask, maskBatch } = a;
  const kv = batch / groups;
  const sizes = [
    block(batch * L, E),
    block(kv * S, E),
    block(kv * S, Ev),
    mask ? block(maskBatch * L, S) : 0,
  ];
  const ptrs = rt.arena([...sizes, ...extra], 1);
  if (!ptrs) return null;
  const [q, k, v, m] = ptrs as [number, number, number, number];
  rt.put(q, a.q.subarray(0, batch * L * E) as Float32Array);
  rt.put(k, a.k.subarray(0, kv * S * E) as Float32Array);
  rt.put(v, a.v.subarray(0, kv * S * Ev) as Float32Array);
  if (mask) rt.put(m, mask.subarray(0, maskBatch * L * S) as Float32Array);
  const mstride = maskBatch === 1 ? 0 : 4 * L * S;
  return { q, k, v, mask: mask ? m : 0, mstride, rest: ptrs.slice(4) };
}

/** Whether the WASM kernels take this call: float32 throughout and no empty dimension. */
function fits(a: AttentionArgs | AttentionBackwardArgs, arrays: readonly (FloatArray | null)[]): boolean {
  return arrays.every((x) => x === null || f32(x)) && a.batch * a.L * a.S * a.E * a.Ev > 0;
}

/** float32 fused attention forward on the WASM kernels; false for other dtypes or empty shapes. */
export function wasmAttention(rt: WasmRuntime, a: AttentionArgs): boolean {
  if (!fits(a, [a.q, a.k, a.v, a.mask, a.out, a.lse])) return false;
  const { batch, groups, L, S, E, Ev, scale, causal } = a;
  const ws = rt.kernels.attention_ws_bytes(L, S, E, Ev, 0);
  const p = layout(rt, a, [4 * batch * L * Ev, 4 * batch * L, ws]);
  if (!p) return false;
  const [o, lse, work] = p.rest as [number, number, number];
  rt.kernels.attention_f32(
    p.q,
    p.k,
    p.v,
    p.mask,
    p.mstride,
    o,
    lse,
    batch,
    groups,
    L,
    S,
    E,
    Ev,
    scale,
    causal ? 1 : 0,
    work,
  );
  rt.get(o, a.out.subarray(0, batch * L * Ev) as Float32Array);
  rt.get(lse, a.lse.subarray(0, batch * L) as Float32Array);
  return true;
}

/** float32 fused attention backward on the WASM kernels; false for other dtypes or empty shapes. */
export function wasmAttentionBackward(rt: WasmRuntime, a: AttentionBackwardArgs): boolean {
  if (!fits(a, [a.q, a.k, a.v, a.mask, a.out, a.lse, a.dout, a.dq, a.dk, a.dv])) return false;
  const { batch, groups, L, S, E, Ev, scale, causal } = a;
  const kv = batch / groups;
  const ws = rt.kernels.attention_ws_bytes(L, S, E, Ev, 1);
  const p = layout(rt, a, [
    4 * batch * L * Ev,
    4 * batch * L,
    block(batch * L, Ev),
    4 * batch * L * E,
    4 * kv * S * E,
    4 * kv * S * Ev,
    ws,
  ]);
  if (!p) return false;
  const [o, lse, dout, dq, dk, dv, work] = p.rest as [number, number, number, number, number, number, number];
  rt.put(o, a.out.subarray(0, batch * L * Ev) as Float32Array);
  rt.put(lse, a.lse.subarray(0, batch * L) as Float32Array);
  rt.put(dout, a.dout.subarray(0, batch * L * Ev) as Float32Array);
  rt.kernels.attention_backward_f32(
    p.q,
    p.k,
    p.v,
    p.mask,
    p.mstride,
    o,
    lse,
    dout,
    dq,
    dk,
    dv,
    batch,
    groups,
    L,
    S,
    E,
    Ev,
    scale,
    causal ? 1 : 0,
    work,
  );
  rt.get(dq, a.dq.subarray(0, batch * L * E) as Float32Array);
  rt.get(dk, a.dk.subarray(0, kv * S * E) as Float32Array);
  rt.get(dv, a.dv.subarray(0, kv * S * Ev) as Float32Array);
  return true;
}
