import type { BinaryOp, UnaryOp } from '../backend.js';
import { ROUNDED_DIV_SQRT } from './elementwise-float-float.js';
import { CLASSIFY_F32, TO_INT32, type WgslFunction, wgslFunction } from './elementwise-library.js';
import { EXP, GELU_ERF, LOG, SIGMOID, TANH } from './elementwise-math.js';
import { MUL_I32, POW_F32, POW_I32 } from './elementwise-pow.js';
import { SIN_COS } from './elementwise-trig.js';
import type { GPUDType } from './gpu-storage.js';

/**
 * The elementwise ops as WGSL expressions, with the reference's dtype semantics: values are read
 * in their own dtype, computed in int32 when the operands and the result are all integral (bool as
 * 0/1) and in float32 otherwise, and stored as a typed-array assignment stores them (float → int32
 * truncates and wraps modulo 2^32, NaN and ±∞ give 0; bool → number is 0/1). Comparisons of int32
 * with float32 are exact. Where the reference's float64 arithmetic shows through, results differ:
 *  - an int32 operand of float arithmetic is rounded to float32 first, as PyTorch does (so only
 *    operands beyond 2^24 differ), and a float result stored to int32 is the float32 one truncated;
 *  - storing a number to bool gives `!= 0` (NaN true), as `copy` does, where the reference's
 *    Uint8Array keeps the number's low 8 bits (the op layer never asks for that);
 *  - int32 `pow` results between 2^53 and 2^84 (see {@link POW_I32}).
 */

/** How a shader holds an element: f32, i32, or bool as a u32 0/1. */
export type Scalar = 'f32' | 'i32' | 'bool';

/** The {@link Scalar} of each dtype the GPU stores. */
export const SCALAR_OF: Readonly<Record<GPUDType, Scalar>> = { float32: 'f32', int32: 'i32', bool: 'bool' };

/** A WGSL expression, the kind of value it has, and the helpers it calls. */
export interface Expr {
  readonly code: string;
  readonly kind: Scalar;
  readonly deps: readonly WgslFunction[];
}

const expr = (code: string, kind: Scalar, ...parts: (readonly WgslFunction[])[]): Expr => ({
  code,
  kind,
  deps: parts.flat(),
});

/** `e` stored as `to`, as a typed-array assignment converts. */
export function convert(e: Expr, to: Scalar): Expr {
  if (e.kind === to) return e;
  if (to === 'bool') return expr(`select(0u, 1u, ${truthy(e).code})`, 'bool', truthy(e).deps);
  if (e.kind === 'f32') return expr(`toInt32(${e.code})`, 'i32', e.deps, [TO_INT32]);
  return expr(`${to}(${e.code})`, to, e.deps);
}

/** WGSL bool: `e != 0` (NaN true, as JavaScript's truthiness of a stored number). */
export function truthy(e: Expr): Expr {
  if (e.kind === 'f32') return expr(`truthyF32(${e.code})`, 'bool', e.deps, [CLASSIFY_F32]);
  return expr(`(${e.code} != ${e.kind === 'i32' ? '0' : '0u'})`, 'bool', e.deps);
}

/** WGSL of an op on its operands, named `v` (unary) or `a` and `b`, and the helpers it calls. */
interface OpTemplate {
  code: string;
  deps?: WgslFunction[];
}

const SIGN_F32 = wgslFunction(`
fn signF32(x: f32) -> f32 { return select(select(x, -1.0, x < 0.0), 1.0, x > 0.0); }
`);

const FLOAT_UNARY: Record<Exclude<UnaryOp, 'logicalNot'>, OpTemplate> = {
  neg: { code: 'bitcast<f32>(bitcast<u32>(v) ^ 0x80000000u)' },
  exp: { code: 'expF32(v)', deps: [EXP] },
  log: { code: 'logF32(v)', deps: [LOG] },
  sqrt: { code: 'sqrtRounded(v)', deps: [ROUNDED_DIV_SQRT] },
  rsqrt: { code: 'divRounded(1.0, sqrtRounded(v))', deps: [ROUNDED_DIV_SQRT] },
  tanh: { code: 'tanhF32(v)', deps: [TANH] },
  sigmoid: { code: 'sigmoidF32(v)', deps: [SIGMOID] },
  relu: { code: 'select(v, 0.0, v <= 0.0)' },
  gelu: { code: 'geluF32(v)', deps: [GELU_ERF] },
  geluTanh: { code: 'geluTanhF32(v)', deps: [SIGMOID] },
  silu: { code: 'siluF32(v)', deps: [SIGMOID] },
  abs: { code: 'bitcast<f32>(bitcast<u32>(v) & 0x7fffffffu)' },
  sign: { code: 'signF32(v)', deps: [SIGN_F32] },
  square: { code: 'v * v' },
  reciprocal: { code: 'divRounded(1.0, v)', deps: [ROUNDED_DIV_SQRT] },
  sin: { code: 'sinF32(v)', deps: [SIN_COS] },
  cos: { code: 'cosF32(v)', deps: [SIN_COS] },
  floor: { code: 'floor(v)' },
  ceil: { code: 'ceil(v)' },
  round: { code: 'round(v)' },
  erf: { code: 'erfF32(v)', deps: [GELU_ERF] },
};

/** Ops that keep integers integral, on int32 values `v` (floor, ceil and round are the identity). */
const INT_UNARY: Partial<Record<UnaryOp, OpTemplate>> = {
  neg: { code: '-v' },
  abs: { code: 'abs(v)' },
  sign: { code: 'sign(v)' },
  square: { code: 'mulI32(v, v)', deps: [MUL_I32] },
  relu: { code: 'max(v, 0)' },
  floor: { code: 'v' },
  ceil: { code: 'v' },
  round: { code: 'v' },
};

const isIntegral = (kind: Scalar): boolean => kind !== 'f32';

/** Substitutes the operand expressions for `v` (or `a`, `b`) in an op's code. */
function apply(op: OpTemplate, operands: Record<string, Expr>, kind: Scalar): Expr {
  const code = op.code.replace(/\b[vab]\b/g, (name) => `(${operands[name]!.code})`);
  return expr(code, kind, op.deps ?? [], ...Object.values(operands).map((e) => e.deps));
}

/** `out = op(x)` for an element `x`, computed in int32 when both `x` and `out` are integral. */
export function unaryExpr(op: UnaryOp, x: Expr, out: Scalar): Expr {
  if (op === 'logicalNot') {
    const t = truthy(x);
    return convert(expr(`select(1u, 0u, ${t.code})`, 'bool', t.deps), out);
  }
  const intOp = INT_UNARY[op];
  if (intOp && isIntegral(x.kind) && isIntegral(out))
    return convert(apply(intOp, { v: convert(x, 'i32') }, 'i32'), out);
  return convert(apply(FLOAT_UNARY[op], { v: convert(x, 'f32') }, 'f32'), out);
}

type Arithmetic = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';

const FLOAT_BINARY: Record<Arithmetic, OpTemplate> = {
  add: { code: 'a + b' },
  sub: { code: 'a - b' },
  mul: { code: 'a * b' },
  div: { code: 'divRounded(a, b)', deps: [ROUNDED_DIV_SQRT] },
  pow: { code: 'powF32(a, b)', deps: [POW_F32] },
  maximum: { code: 'select(b, a, isNanF32(a) || a > b)', deps: [CLASSIFY_F32] },
  minimum: { code: 'select(b, a, isNanF32(a) || a < b)', deps: [CLASSIFY_F32] },
};

const INT_BINARY: Record<Arithmetic, OpTemplate> = {
  add: { code: 'a + b' },
  sub: { code: 'a - b' },
  mul: { code: 'mulI32(a, b)', deps: [MUL_I32] },
  div: { code: 'select(0, a / b, b != 0)' },
  pow: { code: 'powI32(a, b)', deps: [POW_I32] },
  maximum: { code: 'max(a, b)' },
  minimum: { code: 'min(a, b)' },
};

/**
 * `orderF32`, `orderI32`, `orderI32F32`, `orderF32I32`: −1, 0 or 1 as a < b, a == b, a > b, and 2 when
 * unordered (a NaN), and `inOrder(c, lo, hi)`. An int32 and a float32 are compared exactly: when the
 * int32 rounds to the float, the float is integral and is compared as an integer.
 */
const ORDER = wgslFunction(
  `
fn inOrder(c: i32, lo: i32, hi: i32) -> bool { return c >= lo && c <= hi; }
fn orderI32(a: i32, b: i32) -> i32 { return select(select(0, 1, a > b), -1, a < b); }
fn orderF32(a: f32, b: f32) -> i32 {
  if (isNanF32(a) || isNanF32(b)) { return 2; }
  return select(select(0, 1, a > b), -1, a < b);
}
fn orderI32F32(a: i32, b: f32) -> i32 {
  let rounded = f32(a);
  if (isNanF32(b) || rounded != b) { return orderF32(rounded, b); }
  if (b >= 2147483648.0) { return -1; }
  return orderI32(a, i32(b));
}
fn orderF32I32(a: f32, b: i32) -> i32 {
  let c = orderI32F32(b, a);
  return select(-c, c, c == 2);
}
`,
  [CLASSIFY_F32],
);

/** Orderings that make each comparison true. */
const COMPARISON: Record<'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', (c: string) => string> = {
  eq: (c) => `${c} == 0`,
  ne: (c) => `${c} != 0`,
  lt: (c) => `${c} == -1`,
  le: (c) => `inOrder(${c}, -1, 0)`,
  gt: (c) => `${c} == 1`,
  ge: (c) => `inOrder(${c}, 0, 1)`,
};

/** The ordering of two elements in their own kinds (bool compares as int32). */
function order(a: Expr, b: Expr): Expr {
  const ka = a.kind === 'f32' ? 'F32' : 'I32';
  const kb = b.kind === 'f32' ? 'F32' : 'I32';
  const fn = ka === kb ? `order${ka}` : `order${ka}${kb}`;
  const ca = ka === 'I32' ? convert(a, 'i32') : a;
  const cb = kb === 'I32' ? convert(b, 'i32') : b;
  return expr(`${fn}(${ca.code}, ${cb.code})`, 'i32', ca.deps, cb.deps, [ORDER]);
}

/** `out = op(a, b)` for elements `a` and `b`. */
export function binaryExpr(op: BinaryOp, a: Expr, b: Expr, out: Scalar): Expr {
  if (op === 'logicalAnd' || op === 'logicalOr') {
    const [ta, tb] = [truthy(a), truthy(b)];
    const both = `${ta.code} ${op === 'logicalAnd' ? '&&' : '||'} ${tb.code}`;
    return convert(expr(`select(0u, 1u, ${both})`, 'bool', ta.deps, tb.deps), out);
  }
  if (op in COMPARISON) {
    const c = order(a, b);
    const test = COMPARISON[op as keyof typeof COMPARISON](c.code);
    return convert(expr(`select(0u, 1u, ${test})`, 'bool', c.deps), out);
  }
  const arithmetic = op as Arithmetic;
  if (isIntegral(a.kind) && isIntegral(b.kind) && isIntegral(out)) {
    const operands = { a: convert(a, 'i32'), b: convert(b, 'i32') };
    return convert(apply(INT_BINARY[arithmetic], operands, 'i32'), out);
  }
  const operands = { a: convert(a, 'f32'), b: convert(b, 'f32') };
  return convert(apply(FLOAT_BINARY[arithmetic], operands, 'f32'), out);
}

/** `out = cond ? a : b`, each element converted to `out`'s kind. */
export function whereExpr(cond: Expr, a: Expr, b: Expr, out: Scalar): Expr {
  const [t, ca, cb] = [truthy(cond), convert(a, out), convert(b, out)];
  return expr(`select(${cb.code}, ${ca.code}, ${t.code})`, out, t.deps, ca.deps, cb.deps);
}
