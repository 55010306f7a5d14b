import type { TypedArray } from '../../dtype.js';
import type { BinaryOp, ReduceOp, StridedView } from '../backend.js';
import { coalesce } from '../js/strided.js';
import { KernelOperands } from './kernel-operands.js';
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

/**
 * Places the views' spans and `out` (written: `g.size` floats) for one call; returns the address of
 * each view's first element and of `out`, or null when too large.
 */
function place(
  ops: KernelOperands,
  views: readonly StridedView[],
  g: Grid,
  out: Float32Array,
): number[] | null {
  const slots = views.map((v, i) => ops.read(v.data as Float32Array | Uint8Array, ...g.spans[i]!));
  slots.push(ops.write(out, g.size));
  const ptrs = ops.place();
  if (!ptrs) return null;
  return slots.map((slot, i) => {
    const view = views[i];
    return view ? ptrs[slot]! + (view.offset - g.spans[i]![0]) * view.data.BYTES_PER_ELEMENT : ptrs[slot]!;
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
  const ops = new KernelOperands(rt);
  const ptrs = place(ops, [a, b], g, out);
  if (!ptrs) return false;
  const [ap, bp, outPtr] = ptrs as [number, number, number];
  rt.kernels.binary_f32(code, ap, bp, outPtr, g.rows, g.cols, g.rs[0]!, g.rs[1]!, g.cs[0]!, g.cs[1]!);
  ops.finish();
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
  const ops = new KernelOperands(rt);
  const ptrs = place(ops, [cond, a, b], g, out);
  if (!ptrs) return false;
  const [cp, ap, bp, outPtr] = ptrs as [number, number, number, number];
  const [crs, ars, brs] = g.rs as [number, number, number];
  const [ccs, acs, bcs] = g.cs as [number, number, number];
  rt.kernels.where_f32(cp, ap, bp, outPtr, g.rows, g.cols, crs, ars, brs, ccs, acs, bcs);
  ops.finish();
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
  const ops = new KernelOperands(rt);
  const xi = ops.read(x, 0, outer * inner);
  const oi = ops.write(out, outer);
  const ptrs = ops.place();
  if (!ptrs) return false;
  rt.kernels.reduce_f32(code, ptrs[xi]!, ptrs[oi]!, outer, inner);
  ops.finish();
  return true;
}
