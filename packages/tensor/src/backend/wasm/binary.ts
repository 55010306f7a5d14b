import type { TypedArray } from '../../dtype.js';
import type { BinaryOp, ReduceOp, StridedView } from '../backend.js';
import { coalesce } from '../js/strided.js';
import { viewSpan as span } from './movement.js';
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

/**
 * float32 `out = op(a, b)` on the WASM kernels when, after merging axes, the grid is at most 2-D with
 * unit or zero inner strides (same shapes, bias rows, per-row scalars, scalars); false otherwise.
 */
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
  const size = shape.reduce((p, d) => p * d, 1);
  if (size === 0) return true;
  const [dims, [sa, sb]] = coalesce(shape, [a.strides, b.strides]) as [number[], [number[], number[]]];
  if (dims.length > 2) return false;
  const cols = dims[dims.length - 1]!;
  const rows = dims.length === 2 ? dims[0]! : 1;
  const [acs, bcs] = [sa[dims.length - 1]!, sb[dims.length - 1]!];
  if ((acs !== 0 && acs !== 1) || (bcs !== 0 && bcs !== 1)) return false;
  const [ars, brs] = dims.length === 2 ? [sa[0]!, sb[0]!] : [0, 0];
  const [alo, ahi] = span(a.offset, dims, sa);
  const [blo, bhi] = span(b.offset, dims, sb);
  if (ahi - alo > 2 * size + 4096 || bhi - blo > 2 * size + 4096) return false;
  const ptrs = rt.arena([4 * (ahi - alo), 4 * (bhi - blo), 4 * size], 1);
  if (!ptrs) return false;
  const [ap, bp, op_] = ptrs as [number, number, number];
  rt.put(ap, a.data.subarray(alo, ahi));
  rt.put(bp, b.data.subarray(blo, bhi));
  rt.kernels.binary_f32(
    code,
    ap + 4 * (a.offset - alo),
    bp + 4 * (b.offset - blo),
    op_,
    rows,
    cols,
    ars,
    brs,
    acs,
    bcs,
  );
  rt.get(op_, out.subarray(0, size));
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
