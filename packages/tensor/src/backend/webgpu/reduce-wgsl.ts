import type { ReduceOp } from '../backend.js';
import { FF_ARITHMETIC, TWO_SUM } from './elementwise-float-float.js';
import {
  CLASSIFY_F32,
  linkWgsl,
  OPAQUE,
  OPAQUE_INIT,
  SCALE_BY_POW2,
  SPECIAL_F32,
  SPLIT_F32,
  type WgslFunction,
  wgslFunction,
} from './elementwise-library.js';
import { convert, type Scalar } from './elementwise-ops.js';

/**
 * Reductions as a monoid in WGSL: a `State` struct with `identity()`, `lift(v, index)` of one element,
 * an associative `combine(a, b)` and `finalize(s)`. Threads lift and combine strided elements of a
 * row, then a workgroup combines its threads' states in a shared-memory tree; long rows with few
 * outputs are split into chunks whose states a second pass combines. Every state gives the same
 * result in any combination order, so the result matches the reference's sequential loop:
 *  - float sums add in float-float, about 48 bits, and round once: the reference's float64 sum
 *    rounded alike unless partial sums exceed the result ~2^20-fold (then within an ulp or so);
 *  - float products keep a float-float mantissa and a separate exponent (no overflow or underflow on
 *    the way), with NaN / zero / ∞ flags and the sign's parity;
 *  - max, min, argmax, argmin keep (value, index): the first NaN wins, ties go to the first index;
 *  - int32 sums and products wrap.
 */

/** A reduction's state code and the kind of its result. */
export interface ReduceState {
  readonly code: WgslFunction;
  /** Kind of the elements `lift` takes. */
  readonly element: Scalar;
  /** Kind `finalize` returns. */
  readonly result: Scalar;
  /** 4-byte words of one `State` (its size in a storage buffer). */
  readonly words: number;
}

const SUM_F32 = wgslFunction(
  `
struct State { hi: f32, lo: f32 }
fn identity() -> State { return State(0.0, 0.0); }
fn lift(v: f32, index: i32) -> State { return State(v, 0.0); }
fn combine(a: State, b: State) -> State {
  let t = twoSum(a.hi, b.hi);
  return State(t.x, (a.lo + b.lo) + t.y);
}
fn finalize(s: State) -> f32 { return select(s.hi, s.hi + s.lo, isFiniteF32(s.hi)); }
`,
  [TWO_SUM, CLASSIFY_F32],
);

/** |product of the finite nonzero factors| = (hi + lo)·2^e, hi in [1, 2); flags 1 NaN, 2 zero, 4 ∞, 8 odd negatives. */
const PROD_F32 = wgslFunction(
  `
struct State { hi: f32, lo: f32, e: i32, flags: u32 }
fn identity() -> State { return State(1.0, 0.0, 0, 0u); }
fn lift(v: f32, index: i32) -> State {
  let bits = bitcast<u32>(v);
  let sign = (bits >> 31u) << 3u;
  let magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) { return State(1.0, 0.0, 0, 1u); }
  if (magnitude == 0x7f800000u) { return State(1.0, 0.0, 0, 4u | sign); }
  if (magnitude == 0u) { return State(1.0, 0.0, 0, 2u | sign); }
  let parts = splitF32(bitcast<f32>(magnitude));
  return State(parts.m, 0.0, parts.e, sign);
}
fn combine(a: State, b: State) -> State {
  var p = ffMul(vec2f(a.hi, a.lo), vec2f(b.hi, b.lo));
  var e = clamp(a.e + b.e, -1048576, 1048576);
  if (p.x >= 2.0) {
    p = p * 0.5;
    e = e + 1;
  }
  return State(p.x, p.y, e, ((a.flags | b.flags) & 7u) | ((a.flags ^ b.flags) & 8u));
}
fn finalize(s: State) -> f32 {
  if ((s.flags & 1u) != 0u || (s.flags & 6u) == 6u) { return nanF32(); }
  var r = 0.0;
  if ((s.flags & 4u) != 0u) {
    r = infF32();
  } else if ((s.flags & 2u) == 0u) {
    r = scaleByPow2(s.hi + s.lo, clamp(s.e, -200, 200));
  }
  return select(r, -r, (s.flags & 8u) != 0u);
}
`,
  [FF_ARITHMETIC, SPLIT_F32, SCALE_BY_POW2, SPECIAL_F32],
);

/** int32 sum or product: wraps modulo 2^32. */
function wrappingState(op: '+' | '*', identity: number): WgslFunction {
  return wgslFunction(`
struct State { v: i32 }
fn identity() -> State { return State(${identity}); }
fn lift(v: i32, index: i32) -> State { return State(v); }
fn combine(a: State, b: State) -> State { return State(a.v ${op} b.v); }
fn finalize(s: State) -> i32 { return s.v; }
`);
}

/**
 * (value, index) of the first maximum (`better` is `>`) or minimum (`<`); an index of −1 is the empty
 * state. With `float`, NaN beats every number and the first NaN wins, as the reference. `finalize`
 * gives the value, or with `index` the index (0 for an empty row); an empty row's value is NaN
 * (float) or 0, what the reference reads past the end of an empty array.
 */
function argState(better: '>' | '<', float: boolean, index: boolean): WgslFunction {
  const type = float ? 'f32' : 'i32';
  const nan = float
    ? `
  let an = isNanF32(a.v);
  let bn = isNanF32(b.v);
  if (an || bn) {
    if (bn && (!an || b.i < a.i)) { return b; }
    return a;
  }`
    : '';
  const result = index
    ? 'fn finalize(s: State) -> i32 { return max(s.i, 0); }'
    : `fn finalize(s: State) -> ${type} { return select(s.v, ${float ? 'nanF32()' : '0'}, s.i < 0); }`;
  return wgslFunction(
    `
struct State { v: ${type}, i: i32 }
fn identity() -> State { return State(${type}(0), -1); }
fn lift(v: ${type}, index: i32) -> State { return State(v, index); }
fn combine(a: State, b: State) -> State {
  if (b.i < 0) { return a; }
  if (a.i < 0) { return b; }${nan}
  if (b.v ${better} a.v || (b.v == a.v && b.i < a.i)) { return b; }
  return a;
}
${result}
`,
    float ? [CLASSIFY_F32, SPECIAL_F32] : [],
  );
}

/** The state of `op` over elements of kind `x` into an output of kind `out`. */
export function reduceState(op: ReduceOp, x: Scalar, out: Scalar): ReduceState {
  if (op === 'sum' || op === 'prod') {
    if (x === 'f32' || out === 'f32') {
      const code = op === 'sum' ? SUM_F32 : PROD_F32;
      return { code, element: 'f32', result: 'f32', words: op === 'sum' ? 2 : 4 };
    }
    const code = op === 'sum' ? wrappingState('+', 0) : wrappingState('*', 1);
    return { code, element: 'i32', result: 'i32', words: 1 };
  }
  const float = x === 'f32';
  const element = float ? 'f32' : 'i32';
  const index = op === 'argmax' || op === 'argmin';
  const code = argState(op === 'max' || op === 'argmax' ? '>' : '<', float, index);
  return { code, element, result: index ? 'i32' : element, words: 2 };
}

/** One pass of a reduction: what its buffers hold. */
export interface ReducePass {
  /** Elements of this kind, or `'state'`: states of a first pass's chunks. */
  readonly input: Scalar | 'state';
  /** Results of this kind, or `'state'`: one state per chunk for a second pass. */
  readonly output: Scalar | 'state';
}

/** Threads per workgroup of the reduction shaders. */
export const REDUCE_WORKGROUP = 256;

const WGSL_ELEMENT: Record<Scalar | 'state', string> = {
  f32: 'f32',
  i32: 'i32',
  bool: 'u32',
  state: 'State',
};

/**
 * WGSL of one reduction pass. Uniforms: `outer` rows of `inner` inputs each, split in `chunks` of
 * `chunkLength`, reduced by 2^`lanesLog2` threads each (so one shader serves every row length), over
 * `groups` workgroups, and `one` (see {@link OPAQUE}). Task t is (row, chunk) = (t / chunks, t % chunks).
 */
export function reduceShader(state: ReduceState, pass: ReducePass): string {
  const deps = [OPAQUE, state.code];
  let element = 'x[row * p.inner + j]';
  if (pass.input !== 'state') {
    const value = convert({ code: element, kind: pass.input, deps: [] }, state.element);
    deps.push(...value.deps);
    element = `lift(${value.code}, i32(j))`;
  }
  let write = 'out[task] = total;';
  if (pass.output !== 'state') {
    const value = convert({ code: 'finalize(total)', kind: state.result, deps: [] }, pass.output);
    deps.push(...value.deps);
    write = `out[row] = ${value.code};`;
  }
  return `${linkWgsl(deps)}
@group(0) @binding(0) var<storage, read_write> out: array<${WGSL_ELEMENT[pass.output]}>;
@group(0) @binding(1) var<storage, read> x: array<${WGSL_ELEMENT[pass.input]}>;
struct Params { outer: u32, inner: u32, chunks: u32, chunkLength: u32, lanesLog2: u32, groups: u32, one: f32 }
@group(0) @binding(2) var<uniform> p: Params;
var<workgroup> partials: array<State, ${REDUCE_WORKGROUP}>;
@compute @workgroup_size(${REDUCE_WORKGROUP})
fn main(@builtin(local_invocation_index) local: u32, @builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u) {
  ${OPAQUE_INIT}
  let group = wg.x + wg.y * groups.x;
  if (group >= p.groups) { return; }
  let lanes = 1u << p.lanesLog2;
  let lane = local & (lanes - 1u);
  let task = group * (${REDUCE_WORKGROUP}u >> p.lanesLog2) + (local >> p.lanesLog2);
  let row = task / p.chunks;
  var s = identity();
  if (row < p.outer) {
    let start = (task % p.chunks) * p.chunkLength;
    let end = min(start + p.chunkLength, p.inner);
    for (var j = start + lane; j < end; j += lanes) { s = combine(s, ${element}); }
  }
  partials[local] = s;
  workgroupBarrier();
  for (var stride = lanes >> 1u; stride > 0u; stride = stride >> 1u) {
    if (lane < stride) { partials[local] = combine(partials[local], partials[local + stride]); }
    workgroupBarrier();
  }
  let total = partials[local];
  if (lane == 0u && row < p.outer) { ${write} }
}`;
}
