import type { FloatArray, TypedArray } from '../dtype.js';

/** Elementwise functions of one argument that every backend implements. */
export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'gelu'
  | 'geluTanh'
  | 'silu'
  | 'abs'
  | 'sign'
  | 'square'
  | 'reciprocal'
  | 'sin'
  | 'cos'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'erf'
  | 'logicalNot';

/** Elementwise functions of two (broadcast) arguments that every backend implements. */
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'logicalAnd'
  | 'logicalOr';

/** Reductions over the last axis of a `[outer, inner]` block. */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin';

/**
 * A strided read of `data`: element `(i0, i1, …)` of the output shape is
 * `data[offset + i0*strides[0] + i1*strides[1] + …]` (stride 0 broadcasts).
 */
export interface StridedView {
  data: TypedArray;
  offset: number;
  strides: readonly number[];
}

/**
 * A batch of matrix products `out[b] = A[b] · B[b]`, `A[b]` `[m, k]`, `B[b]` `[k, n]`, `out` contiguous
 * `[batch, m, n]`. Element `(i, p)` of `A[b]` is at `a[aOffsets[b] + i*aRowStride + p*aColStride]`,
 * so transposed operands are read in place; likewise for `B`.
 */
export interface MatmulArgs {
  a: FloatArray;
  b: FloatArray;
  out: FloatArray;
  batch: number;
  m: number;
  n: number;
  k: number;
  aOffsets: Int32Array;
  bOffsets: Int32Array;
  aRowStride: number;
  aColStride: number;
  bRowStride: number;
  bColStride: number;
}

/**
 * The kernel table. Ops validate, broadcast and allocate; kernels only compute on typed arrays.
 * The JS backend is the reference every other backend is tested against.
 */
export interface Backend {
  /** Short name used by `setBackend`. */
  readonly name: string;
  /** `out[i] = op(x[i])` over contiguous arrays of equal length. */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray): void;
  /** `out = op(a, b)` over `shape`, reading both operands through strided views. */
  binary(op: BinaryOp, a: StridedView, b: StridedView, out: TypedArray, shape: readonly number[]): void;
  /** Copies (and converts) a strided view of `shape` into contiguous `out`. */
  copy(src: StridedView, out: TypedArray, shape: readonly number[]): void;
  /** `out[cond ? a : b]` elementwise over `shape` with three strided views. */
  where(cond: StridedView, a: StridedView, b: StridedView, out: TypedArray, shape: readonly number[]): void;
  /** Reduces each row of a contiguous `[outer, inner]` block into `out[outer]`. */
  reduce(op: ReduceOp, x: TypedArray, out: TypedArray, outer: number, inner: number): void;
  /** Batched strided matrix product. */
  matmul(args: MatmulArgs): void;
  /** Softmax (or log-softmax) of each contiguous row of a `[rows, cols]` block. */
  softmax(x: FloatArray, out: FloatArray, rows: number, cols: number, log: boolean): void;
}
