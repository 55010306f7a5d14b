import { copyInto } from './assign.js';
import { isDeviceStorage, type Storage } from './backend/memory.js';
import { backendOf } from './backend/registry.js';
import type { DType, TypedArray } from './dtype.js';
import { dtypeOfArray } from './dtype.js';
import { rejectForeignCopy, TENSOR_BRAND, TENSOR_BRAND_KEY } from './duplicate-copies.js';
import { DeviceMemoryError, DTypeError, fmtShape, ShapeError } from './errors.js';
import { formatTensor } from './format.js';
import { checkInt32Cast } from './int32.js';
import type { TensorLike } from './ops/binary.js';
import * as binary from './ops/binary.js';
import * as gathering from './ops/gather.js';
import * as indexRows from './ops/index-rows.js';
import * as indexing from './ops/indexing.js';
import { matmul } from './ops/matmul.js';
import * as movement from './ops/movement.js';
import type { Dims, ReduceOptions, VarianceOptions } from './ops/reduce.js';
import * as reduce from './ops/reduce.js';
import * as unary from './ops/unary.js';
import { checkShape, contiguousStrides, type Shape, shapeSize } from './shape.js';
import { contiguousData, contiguousStorage, copiedStorage } from './storage.js';

/** Nested arrays of numbers (or booleans for `bool`) returned by {@link Tensor.toArray}. */
export type NestedValues = number | boolean | NestedValues[];

/**
 * An n-dimensional array: a typed-array `storage` read through `shape`, `strides` and `offset`, so
 * views (reshape, transpose, slicing, expand) share storage without copying. Every op is available
 * as a function (`add(a, b)`) and as a method (`a.add(b)`), with NumPy broadcasting.
 */
export class Tensor {
  /** Element type. */
  readonly dtype: DType;
  /** Size of each axis. */
  readonly shape: readonly number[];
  /** Storage step of each axis (0 for a broadcast axis). */
  readonly strides: readonly number[];
  /** Storage index of the first element. */
  readonly offset: number;
  /**
   * The memory holding the elements (shared by views): a typed array on the CPU backends, a handle
   * into a device's memory on a backend such as WebGPU.
   */
  readonly buffer: Storage;

  /**
   * Wraps `storage` without copying; strides default to row-major.
   * @throws DTypeError for unsupported arrays; ShapeError when the view reaches outside `storage`.
   */
  constructor(storage: Storage, shape: Shape, strides?: readonly number[], offset = 0) {
    const dtype = isDeviceStorage(storage) ? storage.dtype : dtypeOfArray(storage);
    if (!dtype) throw new DTypeError(`Tensor: unsupported storage ${(storage as object).constructor.name}`);
    this.dtype = dtype;
    this.buffer = storage;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    if (this.strides.length !== this.shape.length) {
      throw new ShapeError(
        `Tensor: strides ${fmtShape(this.strides)} do not match shape ${fmtShape(this.shape)}`,
      );
    }
    if (!strides && offset === 0 && storage.length !== shapeSize(shape)) {
      throw new ShapeError(
        `Tensor: storage has ${storage.length} elements but shape ${fmtShape(shape)} needs ${shapeSize(shape)}`,
      );
    }
    checkView(this);
  }

  /** The version of the @proj/tensor copy that made this tensor: the brand {@link isTensor} reads. */
  get [TENSOR_BRAND_KEY](): string {
    return TENSOR_BRAND.version;
  }

  /**
   * The typed array holding the elements, for tensors in host memory (every CPU backend).
   * @throws DeviceMemoryError for a tensor in a device's memory: read it with {@link Tensor.dataAsync}.
   */
  get storage(): TypedArray {
    const buffer = this.buffer;
    if (isDeviceStorage(buffer))
      throw new DeviceMemoryError(
        `a ${this.dtype} tensor of shape ${fmtShape(this.shape)} lives in ${buffer.backend} memory, which the CPU reads only asynchronously: use await t.dataAsync() or t.itemAsync()`,
      );
    return buffer;
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return shapeSize(this.shape);
  }

  /** Number of elements (PyTorch's name). */
  numel(): number {
    return this.size;
  }

  /** True when elements are laid out in row-major order without gaps. */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.ndim - 1; i >= 0; i--) {
      const d = this.shape[i]!;
      if (d !== 1 && this.strides[i] !== expected) return false;
      expected *= d;
    }
    return true;
  }

  /** This tensor if contiguous, else a contiguous copy. */
  contiguous(): Tensor {
    return this.isContiguous() ? this : this.clone();
  }

  /** A contiguous copy with its own storage. */
  clone(): Tensor {
    return new Tensor(copiedStorage('clone', this, backendOf(this)), this.shape);
  }

  /**
   * A contiguous copy converted to `dtype` (this tensor itself when the dtype already matches). As
   * PyTorch: float → `int32` truncates toward zero, anything → `bool` is `value !== 0` (NaN is true).
   * @throws DTypeError naming the element when a float value is NaN, ±Infinity or outside int32's
   * range on the way to `int32` (PyTorch leaves these undefined).
   */
  to(dtype: DType): Tensor {
    if (dtype === this.dtype) return this;
    if (dtype === 'int32' && !isDeviceStorage(this.buffer)) checkInt32Cast('to', this);
    return new Tensor(contiguousStorage('to', this, backendOf(this), dtype), this.shape);
  }

  /** Alias of {@link Tensor.to}. */
  astype(dtype: DType): Tensor {
    return this.to(dtype);
  }

  /** Writes `src` (broadcast to this shape, converted to this dtype) into this tensor's elements, in place. */
  assign(src: TensorLike): this {
    copyInto(this, isTensor(src, 'assign') ? src : binary.scalarLike(src, this));
    return this;
  }

  /** The elements as a contiguous typed array: the storage itself when already contiguous, else a copy. */
  data(): TypedArray {
    if (this.isContiguous() && this.offset === 0 && this.storage.length === this.size) return this.storage;
    return contiguousData(this);
  }

  /** The elements as nested arrays (booleans for `bool`). */
  toArray(): NestedValues {
    const flat = contiguousData(this);
    const asValue = (v: number): number | boolean => (this.dtype === 'bool' ? v !== 0 : v);
    if (this.ndim === 0) return asValue(flat[0]!);
    const build = (axis: number, start: number): NestedValues[] => {
      const d = this.shape[axis]!;
      const step = shapeSize(this.shape.slice(axis + 1));
      const out: NestedValues[] = [];
      for (let i = 0; i < d; i++) {
        out.push(axis === this.ndim - 1 ? asValue(flat[start + i]!) : build(axis + 1, start + i * step));
      }
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. @throws ShapeError otherwise. */
  item(): number {
    if (this.size !== 1)
      throw new ShapeError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`);
    return this.storage[this.offset]!;
  }

  /**
   * The elements as a fresh contiguous typed array in logical order, when they are readable: at once
   * on the CPU backends, after the device's copy on a backend whose memory the CPU cannot read
   * directly. Unlike {@link Tensor.data}, always a copy, so writing into it never changes the tensor.
   * @example const values = await logits.dataAsync();
   */
  async dataAsync(): Promise<TypedArray> {
    if (isDeviceStorage(this.buffer)) {
      const backend = backendOf(this);
      return backend.readAsync(contiguousStorage('dataAsync', this, backend));
    }
    const values = this.data();
    return values === this.storage ? values.slice() : values;
  }

  /**
   * The single value of a one-element tensor, when it is readable (see {@link Tensor.dataAsync}).
   * @throws ShapeError (as a rejection) when the tensor has more than one element.
   * @example const loss = await lossTensor.itemAsync();
   */
  async itemAsync(): Promise<number> {
    if (!isDeviceStorage(this.buffer)) return this.item();
    if (this.size !== 1)
      throw new ShapeError(
        `itemAsync: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`,
      );
    return (await this.dataAsync())[0]!;
  }

  /**
   * This tensor in host memory: itself when it already is, else a contiguous copy read from its
   * device (PyTorch's `.cpu()`), usable with every synchronous read and host op.
   * @example const weights = await param.toHost();
   */
  async toHost(): Promise<Tensor> {
    return isDeviceStorage(this.buffer) ? new Tensor(await this.dataAsync(), this.shape) : this;
  }

  /** A readable summary: values (elided in the middle when large), shape and dtype. */
  toString(): string {
    return formatTensor(this);
  }

  // Elementwise, binary (broadcasting).
  add(other: TensorLike): Tensor {
    return binary.add(this, other);
  }
  sub(other: TensorLike): Tensor {
    return binary.sub(this, other);
  }
  mul(other: TensorLike): Tensor {
    return binary.mul(this, other);
  }
  div(other: TensorLike): Tensor {
    return binary.div(this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return binary.pow(this, exponent);
  }
  maximum(other: TensorLike): Tensor {
    return binary.maximum(this, other);
  }
  minimum(other: TensorLike): Tensor {
    return binary.minimum(this, other);
  }
  eq(other: TensorLike): Tensor {
    return binary.eq(this, other);
  }
  ne(other: TensorLike): Tensor {
    return binary.ne(this, other);
  }
  lt(other: TensorLike): Tensor {
    return binary.lt(this, other);
  }
  le(other: TensorLike): Tensor {
    return binary.le(this, other);
  }
  gt(other: TensorLike): Tensor {
    return binary.gt(this, other);
  }
  ge(other: TensorLike): Tensor {
    return binary.ge(this, other);
  }
  logicalAnd(other: TensorLike): Tensor {
    return binary.logicalAnd(this, other);
  }
  logicalOr(other: TensorLike): Tensor {
    return binary.logicalOr(this, other);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return binary.maskedFill(this, mask, value);
  }

  // Elementwise, unary.
  neg(): Tensor {
    return unary.neg(this);
  }
  exp(): Tensor {
    return unary.exp(this);
  }
  log(): Tensor {
    return unary.log(this);
  }
  sqrt(): Tensor {
    return unary.sqrt(this);
  }
  rsqrt(): Tensor {
    return unary.rsqrt(this);
  }
  tanh(): Tensor {
    return unary.tanh(this);
  }
  sigmoid(): Tensor {
    return unary.sigmoid(this);
  }
  relu(): Tensor {
    return unary.relu(this);
  }
  gelu(options?: { approximate?: 'none' | 'tanh' }): Tensor {
    return unary.gelu(this, options);
  }
  silu(): Tensor {
    return unary.silu(this);
  }
  abs(): Tensor {
    return unary.abs(this);
  }
  sign(): Tensor {
    return unary.sign(this);
  }
  square(): Tensor {
    return unary.square(this);
  }
  reciprocal(): Tensor {
    return unary.reciprocal(this);
  }
  sin(): Tensor {
    return unary.sin(this);
  }
  cos(): Tensor {
    return unary.cos(this);
  }
  floor(): Tensor {
    return unary.floor(this);
  }
  ceil(): Tensor {
    return unary.ceil(this);
  }
  round(): Tensor {
    return unary.round(this);
  }
  erf(): Tensor {
    return unary.erf(this);
  }
  logicalNot(): Tensor {
    return unary.logicalNot(this);
  }
  clamp(min?: number, max?: number): Tensor {
    return unary.clamp(this, min, max);
  }

  // Reductions.
  sum(dim?: Dims, options?: ReduceOptions): Tensor {
    return reduce.sum(this, dim, options);
  }
  prod(dim?: Dims, options?: ReduceOptions): Tensor {
    return reduce.prod(this, dim, options);
  }
  mean(dim?: Dims, options?: ReduceOptions): Tensor {
    return reduce.mean(this, dim, options);
  }
  max(dim?: Dims, options?: ReduceOptions): Tensor {
    return reduce.max(this, dim, options);
  }
  min(dim?: Dims, options?: ReduceOptions): Tensor {
    return reduce.min(this, dim, options);
  }
  argmax(dim?: number, options?: ReduceOptions): Tensor {
    return reduce.argmax(this, dim, options);
  }
  argmin(dim?: number, options?: ReduceOptions): Tensor {
    return reduce.argmin(this, dim, options);
  }
  var(dim?: Dims, options?: VarianceOptions): Tensor {
    return reduce.variance(this, dim, options);
  }
  std(dim?: Dims, options?: VarianceOptions): Tensor {
    return reduce.std(this, dim, options);
  }
  logsumexp(dim?: Dims, options?: ReduceOptions): Tensor {
    return reduce.logsumexp(this, dim, options);
  }
  softmax(dim?: number): Tensor {
    return reduce.softmax(this, dim);
  }
  logSoftmax(dim?: number): Tensor {
    return reduce.logSoftmax(this, dim);
  }
  cumsum(dim: number): Tensor {
    return reduce.cumsum(this, dim);
  }

  // Linear algebra.
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }

  // Movement (views where the layout allows).
  reshape(shape: Shape): Tensor {
    return movement.reshape(this, shape);
  }
  view(shape: Shape): Tensor {
    return movement.view(this, shape);
  }
  flatten(startDim?: number, endDim?: number): Tensor {
    return movement.flatten(this, startDim, endDim);
  }
  permute(dims: readonly number[]): Tensor {
    return movement.permute(this, dims);
  }
  transpose(dim0?: number, dim1?: number): Tensor {
    return movement.transpose(this, dim0, dim1);
  }
  expand(shape: Shape): Tensor {
    return movement.expand(this, shape);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return movement.narrow(this, dim, start, length);
  }
  slice(dim: number, start?: number, end?: number, step?: number): Tensor {
    return movement.slice(this, dim, start, end, step);
  }
  select(dim: number, index: number): Tensor {
    return movement.select(this, dim, index);
  }
  squeeze(dim?: number | readonly number[]): Tensor {
    return movement.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return movement.unsqueeze(this, dim);
  }
  split(size: number | readonly number[], dim?: number): Tensor[] {
    return movement.split(this, size, dim);
  }
  chunk(chunks: number, dim?: number): Tensor[] {
    return movement.chunk(this, chunks, dim);
  }

  // Indexing.
  gather(dim: number, index: Tensor): Tensor {
    return gathering.gather(this, dim, index);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return indexRows.indexSelect(this, dim, index);
  }
  indexAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return indexRows.indexAdd(this, dim, index, src);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return gathering.scatterAdd(this, dim, index, src);
  }
  tril(diagonal?: number): Tensor {
    return indexing.tril(this, diagonal);
  }
  triu(diagonal?: number): Tensor {
    return indexing.triu(this, diagonal);
  }
  topk(k: number, options?: indexing.TopkOptions): { values: Tensor; indices: Tensor } {
    return indexing.topk(this, k, options);
  }
}

/**
 * True when `value` is a {@link Tensor} of this copy of @proj/tensor; `op` names the caller in errors.
 * @throws DuplicatePackageError for a tensor of another copy (two copies of @proj/tensor installed).
 */
export function isTensor(value: unknown, op = 'isTensor'): value is Tensor {
  if (value instanceof Tensor) return true;
  rejectForeignCopy(value, TENSOR_BRAND, op);
  return false;
}

/** Throws unless `t`'s shape is valid and every element it addresses lies inside its storage. */
function checkView(t: Tensor): void {
  checkShape('Tensor', t.shape);
  if (t.size === 0) return;
  let lo = t.offset;
  let hi = t.offset;
  for (let i = 0; i < t.ndim; i++) {
    const reach = (t.shape[i]! - 1) * t.strides[i]!;
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi >= t.buffer.length) {
    throw new ShapeError(
      `Tensor: shape ${fmtShape(t.shape)}, strides ${fmtShape(t.strides)} and offset ${t.offset} reach elements [${lo}, ${hi}] outside storage of ${t.buffer.length}`,
    );
  }
}
