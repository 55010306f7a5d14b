import type { TypedArray } from '../../dtype.js';
import type { BinaryOp, ReduceOp, StridedView } from '../backend.js';
import { coalesce } from '../js/strided.js';
import { viewSpan } from './movement.js';
import type { WasmRuntime } from './runtime.js';

/** Op codes of `binary_f32` (asm/binary.wat). Other ops (pow, comparisons, logic) run on the JS kernels. */
const BINARY_CODES: Partial<Record<BinaryOp, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
};

/** Op codes of `reduce_f32` (asm/reduce.wat). */
const REDUCE_CODES: Partial<Record<ReduceOp, number>> = { sum: 0, max: 1, min: 2 };

/** Operands laid out as a [rows, cols] grid: per view its row stride, inner stride (0 or 1) and span. */
interface Grid {
  rows: number;
  cols: number;
  size: number;
  rs: number[];
  cs: number[];
  spans: [number, number][];
}

/**
 * Merges axes; succeeds when the grid is at most 2-D with unit or zero inner strides (same shapes,
 * bias rows, per-row scalars, scalars) and no view spans far more storage than the grid.
 */
function grid(shape: readonly number[], views: readonly StridedView[]): Grid | null {
  const size = shape.reduce((p, d) => p * d, 1);
  const [dims, strides] = coalesce(
    shape,
    views.map((v) => v.strides),
  );
  if (dims.length > 2) return null;
  const last = dims.length - 1;
  const cs = strides.map((st) => st[last]!);
  if (cs.some((c) => c !== 0 && c !== 1)) return null;
  const spans = views.map((v, i) => viewSpan(v.offset, dims, strides[i]!));
  if (spans.some(([lo, hi]) => hi - lo > 2 * size + 4096)) return null;
  return {
    rows: dims.length === 2 ? dims[0]! : 1,
    cols: dims[last]!,
    size,
    rs: strides.map((st) => (dims.length === 2 ? st[0]! : 0)),
    cs,
    spans,
  };
}

/** Copies each view's span into the arena; returns the address of each view's first element. */
function place(rt: WasmRuntime, views: readonly StridedView[], g: Grid, ptrs: readonly number[]): number[] {
  return views.map((v, i) => {
    const [lo, hi] = g.spans[i]!;
    const data = v.data;
    if (data instanceof Uint8Array) rt.u8.set(data.subarray(lo, hi), ptrs[i]!);
    else rt.put(ptrs[i]!, (data as Float32Array).subarray(lo, hi));
    return ptrs[i]! + (v.offset - lo) * data.BYTES_PER_ELEMENT;
  });
}

/** float32 `out = op(a, b)` on the WASM kernels for the layouts {@link grid} accepts; false otherwise. */
export function wasmBinary(
  rt: WasmRuntime,
  op: BinaryOp,
  a: StridedView,
  b: StridedView,
  out: TypedArray,
  shape: readonly number[],
): boolean {
  const code = BINARY_CODES[op];
  if (code === undefined) return false;
  if (!(a.data instanceof Float32Array && b.data instanceof Float32Array && out instanceof Float32Array))
    return false;
  const g = grid(shape, [a, b]);
  if (!g) return false;
  if (g.size === 0) return true;
  const bytes = g.spans.map(([lo, hi]) => 4 * (hi - lo));
  const ptrs = rt.arena([...bytes, 4 * g.size], 1);
  if (!ptrs) return false;
  const [ap, bp] = place(rt, [a, b], g, ptrs) as [number, number];
  const outPtr = ptrs[2]!;
  rt.kernels.binary_f32(code, ap, bp, outPtr, g.rows, g.cols, g.rs[0]!, g.rs[1]!, g.cs[0]!, g.cs[1]!);
  rt.get(outPtr, out.subarray(0, g.size));
  return true;
}

/** float32 `out = cond ? a : b` with a bool condition, for the layouts {@link grid} accepts; false otherwise. */
export function wasmWhere(
  rt: WasmRuntime,
  cond: StridedView,
  a: StridedView,
  b: StridedView,
  out: TypedArray,
  shape: readonly number[],
): boolean {
  if (!(cond.data instanceof Uint8Array && a.data instanceof Float32Array && b.data instanceof Float32Array))
    return false;
  if (!(out instanceof Float32Array)) return false;
  const g = grid(shape, [cond, a, b]);
  if (!g) return false;
  if (g.size === 0) return true;
  const bytes = g.spans.map(([lo, hi], i) => (i === 0 ? 1 : 4) * (hi - lo));
  const ptrs = rt.arena([...bytes, 4 * g.size], 1);
  if (!ptrs) return false;
  const [cp, ap, bp] = place(rt, [cond, a, b], g, ptrs) as [number, number, number];
  const [crs, ars, brs] = g.rs as [number, number, number];
  const [ccs, acs, bcs] = g.cs as [number, number, number];
  rt.kernels.where_f32(cp, ap, bp, ptrs[3]!, g.rows, g.cols, crs, ars, brs, ccs, acs, bcs);
  rt.get(ptrs[3]!, out.subarray(0, g.size));
  return true;
}

/** float32 sum / max / min of each contiguous row on the WASM kernels; false otherwise. */
export function wasmReduce(
  rt: WasmRuntime,
  op: ReduceOp,
  x: TypedArray,
  out: TypedArray,
  outer: number,
  inner: number,
): boolean {
  const code = REDUCE_CODES[op];
  if (code === undefined || !(x instanceof Float32Array && out instanceof Float32Array) || inner === 0)
    return false;
  if (outer === 0) return true;
  const ptrs = rt.arena([4 * outer * inner, 4 * outer], 1);
  if (!ptrs) return false;
  const [xp, op_] = ptrs as [number, number];
  rt.put(xp, x.subarray(0, outer * inner));
  rt.kernels.reduce_f32(code, xp, op_, outer, inner);
  rt.get(op_, out.subarray(0, outer));
  return true;
}
