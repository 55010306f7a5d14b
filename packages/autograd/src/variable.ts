import type { Dims, ReduceOptions, VarianceOptions } from '@proj/tensor';
import {
  type DType,
  isTensor,
  tensor as makeTensor,
  type NestedArray,
  ones,
  type PackageBrand,
  rejectForeignCopy,
  type Shape,
  type Tensor,
  type TypedArray,
} from '@proj/tensor';
import { version } from '../package.json';
import type { GradFn } from './graph.js';
import { runBackward } from './graph.js';
import * as binary from './ops/binary.js';
import * as indexing from './ops/indexing.js';
import { matmul } from './ops/matmul.js';
import * as movement from './ops/movement.js';
import * as nn from './ops/nn.js';
import * as reduce from './ops/reduce.js';
import * as unary from './ops/unary.js';
import { fmtShapeOf } from './tensor-utils.js';

/** The key under which every Variable carries its package version; the same in every copy of @proj/autograd. */
const VARIABLE_BRAND_KEY: unique symbol = Symbol.for('@proj/autograd');
const VARIABLE_BRAND: PackageBrand = {
  key: VARIABLE_BRAND_KEY,
  pkg: '@proj/autograd',
  kind: 'Variable',
  version,
};

/** A Variable, a raw Tensor (a constant) or a scalar: what differentiable ops accept. */
export type VariableLike = Variable | Tensor | number;

/** Options of {@link Variable.backward}. */
export interface BackwardOptions {
  /** Keep saved tensors so backward can run through this graph again (default false). */
  retainGraph?: boolean;
}

/**
 * A node of the computation graph: a {@link Tensor} (`data`) plus, when it requires grad, the op
 * that produced it. `backward()` fills `.grad` of the leaf Variables it depends on; gradients
 * accumulate across calls until `zeroGrad()`, as in PyTorch.
 */
export class Variable {
  /** The value. Optimizers may replace or update it in place. */
  data: Tensor;
  /** d(loss)/d(this), set by backward on leaves that require grad; `null` until then. */
  grad: Tensor | null = null;
  private requiresGradFlag: boolean;
  /** The op that produced this Variable, or `null` for a leaf or a constant. */
  readonly gradFn: GradFn | null;

  /**
   * Wraps `data` as a leaf (trainable when `requiresGrad`).
   * @throws TypeError unless `data` is a Tensor; DuplicatePackageError for a Tensor of another copy of @proj/tensor.
   */
  constructor(data: Tensor, options: { requiresGrad?: boolean } = {}) {
    if (!isTensor(data, 'Variable'))
      throw new TypeError(`Variable: data must be a Tensor, got ${typeof data}`);
    this.data = data;
    this.requiresGradFlag = options.requiresGrad ?? false;
    this.gradFn = null;
  }

  /** The version of the @proj/autograd copy that made this Variable: the brand {@link isVariable} reads. */
  get [VARIABLE_BRAND_KEY](): string {
    return VARIABLE_BRAND.version;
  }

  /**
   * Whether gradients flow to (and through) this Variable. A leaf's flag can be changed, as
   * PyTorch's `requires_grad_()`: freezing a parameter (`p.requiresGrad = false`) makes every op it
   * enters skip its gradient (a frozen weight gets no `dW` computed, not one computed and dropped).
   * @throws Error when set on a Variable produced by an op, or set to true on a non-float one.
   */
  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  set requiresGrad(value: boolean) {
    if (!this.isLeaf)
      throw new Error(
        `requiresGrad: only leaf Variables can change requiresGrad (this one was made by '${this.gradFn!.op}'); use detach() to cut it from the graph`,
      );
    if (value && this.dtype !== 'float32' && this.dtype !== 'float64')
      throw new Error(`requiresGrad: only float tensors can require grad, got ${this.dtype}`);
    this.requiresGradFlag = value;
  }

  /** @internal A non-leaf Variable produced by an op. */
  static fromOp(data: Tensor, gradFn: GradFn): Variable {
    const v = new Variable(data, { requiresGrad: true });
    (v as { gradFn: GradFn | null }).gradFn = gradFn;
    return v;
  }

  /** Shape of `data`. */
  get shape(): readonly number[] {
    return this.data.shape;
  }

  /** Dtype of `data`. */
  get dtype(): DType {
    return this.data.dtype;
  }

  /** Number of axes of `data`. */
  get ndim(): number {
    return this.data.ndim;
  }

  /** Number of elements of `data`. */
  get size(): number {
    return this.data.size;
  }

  /** True for Variables not produced by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /**
   * Backpropagates from this Variable. `grad` defaults to 1 for a one-element Variable.
   * @throws Error when this Variable does not require grad, is not scalar and no `grad` is given, or the graph was freed.
   * @throws TypeError when `grad` is not a Tensor; DuplicatePackageError for a Tensor of another copy of @proj/tensor.
   */
  backward(grad?: Tensor, options: BackwardOptions = {}): void {
    if (grad !== undefined && !isTensor(grad, 'backward'))
      throw new TypeError(`backward: grad must be a Tensor, got ${typeof grad}`);
    if (!this.requiresGrad)
      throw new Error('backward: this Variable does not require grad (no input had requiresGrad: true)');
    if (!grad && this.size !== 1) {
      throw new Error(
        `backward: output has shape ${fmtShapeOf(this.data)}; pass a gradient of that shape for a non-scalar output`,
      );
    }
    const seed = grad ?? ones(this.shape, { dtype: this.dtype });
    if (seed.shape.length !== this.ndim || seed.shape.some((d, i) => d !== this.shape[i])) {
      throw new Error(
        `backward: gradient ${fmtShapeOf(seed)} does not match output ${fmtShapeOf(this.data)}`,
      );
    }
    runBackward(this, seed, options.retainGraph ?? false);
  }

  /**
   * @internal Adds `g` to `.grad` in this Variable's dtype. The first gradient is copied, so gradient
   * tensors are never aliased, unless the caller owns `g` outright (`owned`: nothing else references
   * its storage) and it is contiguous in this dtype: then `g` itself becomes `.grad`. Returns whether
   * it did.
   */
  accumulateGrad(g: Tensor, owned = false): boolean {
    if (!this.grad && owned && g.dtype === this.dtype && g.isContiguous() && g.offset === 0) {
      this.grad = g;
      return true;
    }
    const total = this.grad ? this.grad.add(g) : g.dtype === this.dtype ? g.clone() : g;
    this.grad = total.dtype === this.dtype ? total : total.to(this.dtype);
    return false;
  }

  /** A constant Variable sharing `data`, cut from the graph. */
  detach(): Variable {
    return new Variable(this.data);
  }

  /** Clears `.grad` (sets it to null, as PyTorch's default `set_to_none`). */
  zeroGrad(): void {
    this.grad = null;
  }

  /** The single value of a one-element Variable. */
  item(): number {
    return this.data.item();
  }

  /**
   * The single value of a one-element Variable, when it is readable (see `Tensor.dataAsync`): what a
   * training loop awaits to log a loss without waiting on a device backend.
   * @example const loss = await model.loss(x, y).itemAsync();
   */
  itemAsync(): Promise<number> {
    return this.data.itemAsync();
  }

  /** The values as a fresh contiguous typed array in logical order, when they are readable. */
  dataAsync(): Promise<TypedArray> {
    return this.data.dataAsync();
  }

  /** Nested arrays of the values. */
  toArray() {
    return this.data.toArray();
  }

  /** A readable summary of the value and whether it requires grad. */
  toString(): string {
    return `Variable(${this.data.toString()}${this.requiresGrad ? ', requiresGrad=true' : ''}${this.gradFn ? `, gradFn=${this.gradFn.op}` : ''})`;
  }

  // Differentiable elementwise ops (broadcasting).
  add(other: VariableLike): Variable {
    return binary.add(this, other);
  }
  sub(other: VariableLike): Variable {
    return binary.sub(this, other);
  }
  mul(other: VariableLike): Variable {
    return binary.mul(this, other);
  }
  div(other: VariableLike): Variable {
    return binary.div(this, other);
  }
  pow(exponent: VariableLike): Variable {
    return binary.pow(this, exponent);
  }
  maximum(other: VariableLike): Variable {
    return binary.maximum(this, other);
  }
  minimum(other: VariableLike): Variable {
    return binary.minimum(this, other);
  }
  maskedFill(mask: Tensor, value: number): Variable {
    return binary.maskedFill(this, mask, value);
  }
  neg(): Variable {
    return unary.neg(this);
  }
  exp(): Variable {
    return unary.exp(this);
  }
  log(): Variable {
    return unary.log(this);
  }
  sqrt(): Variable {
    return unary.sqrt(this);
  }
  rsqrt(): Variable {
    return unary.rsqrt(this);
  }
  tanh(): Variable {
    return unary.tanh(this);
  }
  sigmoid(): Variable {
    return unary.sigmoid(this);
  }
  relu(): Variable {
    return unary.relu(this);
  }
  gelu(options?: { approximate?: 'none' | 'tanh' }): Variable {
    return unary.gelu(this, options);
  }
  silu(): Variable {
    return unary.silu(this);
  }
  abs(): Variable {
    return unary.abs(this);
  }
  square(): Variable {
    return unary.square(this);
  }
  reciprocal(): Variable {
    return unary.reciprocal(this);
  }
  sin(): Variable {
    return unary.sin(this);
  }
  cos(): Variable {
    return unary.cos(this);
  }
  erf(): Variable {
    return unary.erf(this);
  }
  clamp(min?: number, max?: number): Variable {
    return unary.clamp(this, min, max);
  }

  // Non-differentiable comparisons return plain Tensors.
  eq(other: VariableLike): Tensor {
    return binary.eq(this, other);
  }
  ne(other: VariableLike): Tensor {
    return binary.ne(this, other);
  }
  lt(other: VariableLike): Tensor {
    return binary.lt(this, other);
  }
  le(other: VariableLike): Tensor {
    return binary.le(this, other);
  }
  gt(other: VariableLike): Tensor {
    return binary.gt(this, other);
  }
  ge(other: VariableLike): Tensor {
    return binary.ge(this, other);
  }
  argmax(dim?: number, options?: ReduceOptions): Tensor {
    return this.data.argmax(dim, options);
  }
  argmin(dim?: number, options?: ReduceOptions): Tensor {
    return this.data.argmin(dim, options);
  }

  // Reductions.
  sum(dim?: Dims, options?: ReduceOptions): Variable {
    return reduce.sum(this, dim, options);
  }
  prod(dim?: Dims, options?: ReduceOptions): Variable {
    return reduce.prod(this, dim, options);
  }
  mean(dim?: Dims, options?: ReduceOptions): Variable {
    return reduce.mean(this, dim, options);
  }
  max(dim?: Dims, options?: ReduceOptions): Variable {
    return reduce.max(this, dim, options);
  }
  min(dim?: Dims, options?: ReduceOptions): Variable {
    return reduce.min(this, dim, options);
  }
  var(dim?: Dims, options?: VarianceOptions): Variable {
    return reduce.variance(this, dim, options);
  }
  std(dim?: Dims, options?: VarianceOptions): Variable {
    return reduce.std(this, dim, options);
  }
  logsumexp(dim?: Dims, options?: ReduceOptions): Variable {
    return reduce.logsumexp(this, dim, options);
  }
  cumsum(dim: number): Variable {
    return reduce.cumsum(this, dim);
  }
  softmax(dim?: number): Variable {
    return nn.softmax(this, dim);
  }
  logSoftmax(dim?: number): Variable {
    return nn.logSoftmax(this, dim);
  }

  // Linear algebra.
  matmul(other: VariableLike): Variable {
    return matmul(this, other);
  }

  // Movement.
  reshape(shape: Shape): Variable {
    return movement.reshape(this, shape);
  }
  view(shape: Shape): Variable {
    return movement.view(this, shape);
  }
  flatten(startDim?: number, endDim?: number): Variable {
    return movement.flatten(this, startDim, endDim);
  }
  permute(dims: readonly number[]): Variable {
    return movement.permute(this, dims);
  }
  transpose(dim0?: number, dim1?: number): Variable {
    return movement.transpose(this, dim0, dim1);
  }
  expand(shape: Shape): Variable {
    return movement.expand(this, shape);
  }
  narrow(dim: number, start: number, length: number): Variable {
    return movement.narrow(this, dim, start, length);
  }
  slice(dim: number, start?: number, end?: number, step?: number): Variable {
    return movement.slice(this, dim, start, end, step);
  }
  select(dim: number, index: number): Variable {
    return movement.select(this, dim, index);
  }
  squeeze(dim?: number | readonly number[]): Variable {
    return movement.squeeze(this, dim);
  }
  unsqueeze(dim: number): Variable {
    return movement.unsqueeze(this, dim);
  }
  split(size: number | readonly number[], dim?: number): Variable[] {
    return movement.split(this, size, dim);
  }
  chunk(chunks: number, dim?: number): Variable[] {
    return movement.chunk(this, chunks, dim);
  }
  contiguous(): Variable {
    return movement.contiguous(this);
  }
  to(dtype: DType): Variable {
    return movement.to(this, dtype);
  }

  // Indexing.
  gather(dim: number, index: Tensor): Variable {
    return indexing.gather(this, dim, index);
  }
  indexSelect(dim: number, index: Tensor): Variable {
    return indexing.indexSelect(this, dim, index);
  }
  indexAdd(dim: number, index: Tensor, src: VariableLike): Variable {
    return indexing.indexAdd(this, dim, index, src);
  }
  scatterAdd(dim: number, index: Tensor, src: VariableLike): Variable {
    return indexing.scatterAdd(this, dim, index, src);
  }
  tril(diagonal?: number): Variable {
    return indexing.tril(this, diagonal);
  }
  triu(diagonal?: number): Variable {
    return indexing.triu(this, diagonal);
  }
  topk(k: number, options?: { dim?: number; largest?: boolean }): { values: Variable; indices: Tensor } {
    return indexing.topk(this, k, options);
  }
}

/**
 * True when `value` is a {@link Variable} of this copy of @proj/autograd; `op` names the caller in errors.
 * @throws DuplicatePackageError for a Variable of another copy (two copies of @proj/autograd installed).
 */
export function isVariable(value: unknown, op = 'isVariable'): value is Variable {
  if (value instanceof Variable) return true;
  rejectForeignCopy(value, VARIABLE_BRAND, op);
  return false;
}

/**
 * Wraps a tensor (or nested array / typed array data) as a Variable.
 * @example const w = variable(randn([3, 3]), { requiresGrad: true });
 */
export function variable(
  data: Tensor | NestedArray | TypedArray,
  options: { requiresGrad?: boolean; dtype?: DType } = {},
): Variable {
  const t = isTensor(data, 'variable')
    ? options.dtype
      ? data.to(options.dtype)
      : data
    : makeTensor(data, options.dtype ? { dtype: options.dtype } : {});
  if (options.requiresGrad && t.dtype !== 'float32' && t.dtype !== 'float64') {
    throw new Error(`variable: only float tensors can require grad, got ${t.dtype}`);
  }
  return new Variable(t, { requiresGrad: options.requiresGrad ?? false });
}
