import type { WeightDType } from '../half-precision.js';
import type { BackendMemory, HostMemory, KernelMemory } from './memory.js';
import type {
  AvgPoolArgs,
  AvgPoolBackwardArgs,
  FoldArgs,
  MaxPoolArgs,
  MaxPoolBackwardArgs,
  UnfoldArgs,
} from './window-args.js';

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
export interface StridedView<M extends KernelMemory = HostMemory> {
  data: M['array'];
  offset: number;
  strides: readonly number[];
}

/**
 * A batch of matrix products `out[b] = A[b] · B[b]`, `A[b]` `[m, k]`, `B[b]` `[k, n]`, `out` contiguous
 * `[batch, m, n]`. Element `(i, p)` of `A[b]` is at `a[aOffsets[b] + i*aRowStride + p*aColStride]`,
 * so transposed operands are read in place; likewise for `B`.
 */
export interface MatmulArgs<M extends KernelMemory = HostMemory> {
  a: M['float'];
  b: M['float'];
  out: M['float'];
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
 * A weight `[n, k]` and optional bias `[n]` to keep in a backend's memory for repeated products
 * `x·Wᵀ + b` ({@link Backend.packLinear}), rounded to `dtype` (nearest, ties to even) when that is a
 * 16-bit format.
 */
export interface PackLinearArgs {
  /** The weight, row-major `[n, k]`. */
  weight: Float32Array;
  /** The bias `[n]`, or null. */
  bias: Float32Array | null;
  n: number;
  k: number;
  /** Storage precision; products always compute in float32. */
  dtype: WeightDType;
}

/** A weight packed by {@link Backend.packLinear}, owned by the backend that packed it. */
export interface PackedLinearKernel {
  /**
   * `out = x·Wᵀ + b` for contiguous `x` `[m, k]` into contiguous `out` `[m, n]`, the weight widened
   * from its storage precision: every element as `matmul(x, Wᵀ)` then `add(·, b)` on this backend
   * compute it, so float32 results equal the unpacked product exactly.
   * @throws Error after {@link PackedLinearKernel.release}, or when the memory holding it was dropped.
   */
  apply(x: Float32Array, m: number, out: Float32Array): void;
  /** Bytes of backend memory it holds. */
  readonly bytes: number;
  /** Frees its memory (idempotent). */
  release(): void;
}

/** Activations whose derivative {@link Backend.unaryBackward} computes from the input. */
export type UnaryGradOp = 'gelu' | 'geluTanh' | 'silu' | 'relu' | 'sigmoid' | 'tanh';

/**
 * Layer norm (or RMS norm) over each contiguous row of `x` `[rows, cols]`:
 * `out = (x − mean)·rstd·weight + bias`, `rstd = 1/sqrt(var + eps)` with the biased variance, as
 * PyTorch. With `rms` the mean is not subtracted: `rstd = 1/sqrt(mean(x²) + eps)` and `bias` is ignored.
 */
export interface NormArgs<M extends KernelMemory = HostMemory> {
  /** Input `[rows, cols]`, contiguous. */
  x: M['float'];
  /** Scale `[cols]`, or null for 1. */
  weight: M['float'] | null;
  /** Shift `[cols]`, or null for 0. */
  bias: M['float'] | null;
  /** Output `[rows, cols]`, written. */
  out: M['float'];
  /** Per-row mean `[rows]`, written (left untouched with `rms`). */
  mean: M['float'];
  /** Per-row reciprocal standard deviation `[rows]`, written. */
  rstd: M['float'];
  rows: number;
  cols: number;
  eps: number;
  /** RMS norm instead of layer norm. */
  rms: boolean;
}

/**
 * Backward of {@link NormArgs} given the saved `mean` and `rstd`: writes `dx`, and the column sums
 * `dweight = Σ_rows dy·x̂` and `dbias = Σ_rows dy` where requested (null to skip).
 */
export interface NormBackwardArgs<M extends KernelMemory = HostMemory> {
  dy: M['float'];
  x: M['float'];
  weight: M['float'] | null;
  mean: M['float'];
  rstd: M['float'];
  dx: M['float'];
  dweight: M['float'] | null;
  dbias: M['float'] | null;
  rows: number;
  cols: number;
  rms: boolean;
}

/**
 * Cross-entropy from unnormalised `logits` `[rows, classes]` and class `targets` `[rows]`:
 * `losses[r] = (1 − s)·(lse − x[t]) + s·(lse − mean(x))` with `s = labelSmoothing` and
 * `lse = log Σ exp(x)`; rows whose target is `ignoreIndex` get loss 0 (their `lse` is still written).
 * Targets must lie in `[0, classes)` unless ignored (kernels throw a RangeError otherwise).
 */
export interface CrossEntropyArgs<M extends KernelMemory = HostMemory> {
  logits: M['float'];
  targets: M['int32'];
  /** Per-row loss `[rows]`, written. */
  losses: M['float'];
  /** Per-row log-sum-exp `[rows]`, written (kept for the backward). */
  lse: M['float'];
  rows: number;
  classes: number;
  ignoreIndex: number;
  labelSmoothing: number;
}

/**
 * Backward of {@link CrossEntropyArgs}: `dlogits[r] = scale[r]·(softmax(x[r]) − s/C − (1 − s)·onehot(t))`,
 * zero for ignored rows. `scale` is the upstream gradient of each row's loss (a number for all rows,
 * e.g. `g / count` for a mean).
 */
export interface CrossEntropyBackwardArgs<M extends KernelMemory = HostMemory> {
  logits: M['float'];
  targets: M['int32'];
  lse: M['float'];
  scale: number | M['float'];
  /** `[rows, classes]`, written. */
  dlogits: M['float'];
  rows: number;
  classes: number;
  ignoreIndex: number;
  labelSmoothing: number;
}

/**
 * One AdamW step (decoupled weight decay, as PyTorch's `AdamW`; Adam with `weightDecay = 0`), in place
 * over equal-length arrays: `p −= lr·wd·p; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * p −= lr·(m/(1−β1^step)) / (sqrt(v/(1−β2^step)) + eps)`.
 */
export interface AdamWArgs<M extends KernelMemory = HostMemory> {
  param: M['float'];
  grad: M['float'];
  m: M['float'];
  v: M['float'];
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count, for the bias corrections. */
  step: number;
}

/**
 * Scaled, optionally causal softmax of attention scores `x` `[batch, L, S]` over the key axis:
 * `out[b, i, j] = softmax_j(scale·x[b, i, j])`. With `causal`, keys `j > i + S − L` get weight 0
 * (bottom-right aligned: with a KV cache, query `i` sits at key position `i + S − L`); a row with no
 * visible key is NaN, as a fully masked softmax.
 */
export interface AttentionSoftmaxArgs<M extends KernelMemory = HostMemory> {
  x: M['float'];
  out: M['float'];
  batch: number;
  /** Queries per batch entry. */
  L: number;
  /** Keys per query. */
  S: number;
  scale: number;
  causal: boolean;
}

/**
 * A batch of matrices read in place: element `(i, j)` of matrix `b` is
 * `data[offsets[b] + i·rowStride + j·colStride]` (strides ≥ 0), so transposed or permuted views need
 * no copy.
 */
export interface MatrixBatch<M extends KernelMemory = HostMemory> {
  data: M['float'];
  offsets: Int32Array;
  rowStride: number;
  colStride: number;
}

/**
 * Fused scaled dot-product attention over a batch of heads: for each `b`,
 * `out[b] = softmax(scale·q[b]·k[g]ᵀ + mask) · v[g]` with `g = ⌊b / groups⌋` (grouped-query heads share
 * keys and values), for `q[b]` `[L, E]`, `k[g]` `[S, E]`, `v[g]` `[S, Ev]` (`batch` query matrices,
 * `batch / groups` key and value matrices). With `causal`, query `i` sees keys `j ≤ i + S − L`
 * (bottom-right aligned, as a KV cache needs); a query that sees no key gets NaN, as PyTorch.
 */
export interface AttentionArgs<M extends KernelMemory = HostMemory> {
  q: MatrixBatch<M>;
  k: MatrixBatch<M>;
  v: MatrixBatch<M>;
  /** Additive mask `[maskBatch, L, S]`, contiguous (−∞ hides a key), or null. */
  mask: M['float'] | null;
  /** 1 (one mask for every batch entry) or `batch`. */
  maskBatch: number;
  /** Output `[batch, L, Ev]`, contiguous, written. */
  out: M['float'];
  /** Per-row log-sum-exp of the masked, scaled scores `[batch, L]`, written (kept for the backward). */
  lse: M['float'];
  batch: number;
  /** Query heads per key/value head (divides `batch`). */
  groups: number;
  L: number;
  S: number;
  E: number;
  Ev: number;
  scale: number;
  causal: boolean;
}

/**
 * Backward of {@link AttentionArgs} from the forward's `out` and `lse` and the upstream `dout`
 * `[batch, L, Ev]`: writes `dq` `[batch, L, E]`, and `dk`, `dv` (summed over each key/value head's
 * group of query heads).
 */
export interface AttentionBackwardArgs<M extends KernelMemory = HostMemory>
  extends Omit<AttentionArgs<M>, 'out' | 'lse'> {
  /** The forward's output `[batch, L, Ev]`, read. */
  out: M['float'];
  /** The forward's log-sum-exp `[batch, L]`, read. */
  lse: M['float'];
  /** Gradient of the output: `batch` matrices `[L, Ev]`, read through strides. */
  dout: MatrixBatch<M>;
  /** `[batch, L, E]`, contiguous, written. */
  dq: M['float'];
  /** `[batch/groups, S, E]`, contiguous, written. */
  dk: M['float'];
  /** `[batch/groups, S, Ev]`, contiguous, written. */
  dv: M['float'];
}

/**
 * The geometry of the index kernels: an input or output `[outer, size, inner]` (the axis indexed in
 * the middle) and the `[outer, count, inner]` (or `[count]`) side the index runs over.
 */
export interface IndexBlocks {
  outer: number;
  size: number;
  count: number;
  inner: number;
}

/** What every index kernel takes besides its source: the int32 `index`, the `out` it writes, the blocks. */
interface IndexKernelArgs<M extends KernelMemory, Out> extends IndexBlocks {
  index: M['int32'];
  out: Out;
}

/**
 * Rows of a contiguous `x` `[outer, size, inner]` picked by `index` `[count]` (int32, each in
 * `[0, size)`, checked by the op): `out[o, i, j] = x[o, index[i], j]`, `out` `[outer, count, inner]`
 * contiguous, written. Any dtype (`out` has `x`'s).
 */
export interface IndexSelectArgs<M extends KernelMemory = HostMemory> extends IndexKernelArgs<M, M['array']> {
  x: M['array'];
}

/**
 * The adjoint of {@link IndexSelectArgs}: `out[o, index[i], j] += src[o, i, j]` for `src`
 * `[outer, count, inner]` into `out` `[outer, size, inner]` (both contiguous, one float dtype);
 * repeated indices accumulate, in order of `i`.
 */
export interface IndexAddArgs<M extends KernelMemory = HostMemory> extends IndexKernelArgs<M, M['float']> {
  src: M['float'];
}

/**
 * `torch.gather` along the middle axis of `[outer, ·, inner]` blocks: `out[o, i, j] = x[o, index[o, i, j], j]`
 * for contiguous `x` `[outer, size, inner]`, int32 `index` and `out` `[outer, count, inner]` (`out` has
 * `x`'s dtype, any dtype). An index outside `[0, size)` — possible only for indices in a device's
 * memory, as ops check the others — makes its element NaN (0 in int32 and bool), since a GPU kernel
 * cannot throw.
 */
export interface GatherArgs<M extends KernelMemory = HostMemory> extends IndexKernelArgs<M, M['array']> {
  x: M['array'];
}

/**
 * The adjoint of {@link GatherArgs} (`Tensor.scatter_add_`): `out[o, index[o, i, j], j] += src[o, i, j]`
 * for `src` and int32 `index` `[outer, count, inner]` into `out` `[outer, size, inner]` (contiguous,
 * one dtype: float, int32, or bool, where adding is a logical or). Each element adds its sources in
 * order of `i`, so float sums are deterministic. An index outside `[0, size)` (device memory only, as
 * for gather) makes every float element of its `(o, ·, j)` column NaN; int32 and bool skip it.
 */
export interface ScatterAddArgs<M extends KernelMemory = HostMemory> extends IndexKernelArgs<M, M['array']> {
  src: M['array'];
}

/**
 * The kernel table. Ops validate, broadcast and allocate (through the backend's `alloc`); kernels only
 * compute on the backend's memory. The JS backend is the reference every other backend is tested
 * against.
 *
 * The primitives (`unary`, `binary`, `copy`, `where`, `reduce`, `matmul` and the window kernels) are
 * required. The fused kernels (`FUSED_KERNEL_NAMES`) are optional: only `@proj/tensor`'s
 * tensor-level functions call them, with a default composed from the primitives when a backend lacks
 * one. They take contiguous arrays of one float dtype (float32 or float64; every array of a call has
 * the same dtype).
 */
export interface Backend<M extends KernelMemory = HostMemory> extends BackendMemory<M> {
  /** Short name used by `setBackend`. */
  readonly name: string;
  /** `out[i] = op(x[i])` over contiguous arrays of equal length. */
  unary(op: UnaryOp, x: M['array'], out: M['array']): void;
  /** `out = op(a, b)` over `shape`, reading both operands through strided views. */
  binary(op: BinaryOp, a: StridedView<M>, b: StridedView<M>, out: M['array'], shape: readonly number[]): void;
  /** Copies (and converts) a strided view of `shape` into contiguous `out`. */
  copy(src: StridedView<M>, out: M['array'], shape: readonly number[]): void;
  /**
   * Writes the strided view `src` into the strided view `dst` over `shape`, converting to `dst`'s dtype
   * as `copy` does: a write into a slice or other view of a tensor (`dst` never overlaps itself).
   * Optional: host backends write views in JavaScript; a device backend needs it to assign into views.
   */
  copyInto?(src: StridedView<M>, dst: StridedView<M>, shape: readonly number[]): void;
  /** `out[cond ? a : b]` elementwise over `shape` with three strided views. */
  where(
    cond: StridedView<M>,
    a: StridedView<M>,
    b: StridedView<M>,
    out: M['array'],
    shape: readonly number[],
  ): void;
  /** Reduces each row of a contiguous `[outer, inner]` block into `out[outer]`. */
  reduce(op: ReduceOp, x: M['array'], out: M['array'], outer: number, inner: number): void;
  /** Batched strided matrix product. */
  matmul(args: MatmulArgs<M>): void;
  /**
   * Keeps a weight for repeated products in the backend's memory (packed for its matmul kernel, in
   * float32 or a 16-bit format); see {@link PackLinearArgs}.
   * Host backends only: a packed kernel computes on typed arrays synchronously.
   * @throws RangeError when a weight does not fit a 16-bit `dtype` (not finite, or overflowing it).
   */
  packLinear?(args: PackLinearArgs): PackedLinearKernel;
  /** Softmax (or log-softmax) of each contiguous row of a `[rows, cols]` block. */
  softmax?(x: M['float'], out: M['float'], rows: number, cols: number, log: boolean): void;
  /**
   * Gradient of {@link Backend.softmax} from its output `y`: softmax `dx = y ⊙ (dy − Σ dy⊙y)`,
   * log-softmax `dx = dy − exp(y)·Σ dy` (sums over each row). `dx` may alias `dy`.
   */
  softmaxBackward?(
    y: M['float'],
    dy: M['float'],
    dx: M['float'],
    rows: number,
    cols: number,
    log: boolean,
  ): void;
  /** Fused scaled (causal) attention softmax; see {@link AttentionSoftmaxArgs}. */
  attentionSoftmax?(args: AttentionSoftmaxArgs<M>): void;
  /**
   * Backward of {@link Backend.attentionSoftmax} from its output `y` `[rows, cols]`:
   * `dx = scale·y ⊙ (dy − Σ dy⊙y)` per row (masked weights are 0, so their gradient is too).
   */
  attentionSoftmaxBackward?(
    y: M['float'],
    dy: M['float'],
    dx: M['float'],
    rows: number,
    cols: number,
    scale: number,
  ): void;
  /** Fused scaled dot-product attention forward; see {@link AttentionArgs}. */
  attention?(args: AttentionArgs<M>): void;
  /** Fused scaled dot-product attention backward; see {@link AttentionBackwardArgs}. */
  attentionBackward?(args: AttentionBackwardArgs<M>): void;
  /** `dx = dy · f'(x)` for an activation `f`, elementwise over equal-length arrays. */
  unaryBackward?(op: UnaryGradOp, x: M['float'], dy: M['float'], dx: M['float']): void;
  /** Fused layer norm / RMS norm forward; see {@link NormArgs}. */
  layerNorm?(args: NormArgs<M>): void;
  /** Fused layer norm / RMS norm backward; see {@link NormBackwardArgs}. */
  layerNormBackward?(args: NormBackwardArgs<M>): void;
  /** Fused cross-entropy forward; see {@link CrossEntropyArgs}. @throws RangeError for a bad target. */
  crossEntropy?(args: CrossEntropyArgs<M>): void;
  /** Fused cross-entropy backward; see {@link CrossEntropyBackwardArgs}. */
  crossEntropyBackward?(args: CrossEntropyBackwardArgs<M>): void;
  /** Row gather (an embedding lookup); see {@link IndexSelectArgs}. Optional: ops compose it from primitives. */
  indexSelect?(args: IndexSelectArgs<M>): void;
  /** Row scatter-add (an embedding's gradient); see {@link IndexAddArgs}. Optional, as `indexSelect`. */
  indexAdd?(args: IndexAddArgs<M>): void;
  /** Gather along an axis (`torch.gather`); see {@link GatherArgs}. Optional: ops compose it from primitives. */
  gather?(args: GatherArgs<M>): void;
  /** Scatter-add along an axis, the gradient of gather; see {@link ScatterAddArgs}. Optional, as `gather`. */
  scatterAdd?(args: ScatterAddArgs<M>): void;
  /** One in-place AdamW step; see {@link AdamWArgs}. */
  adamw?(args: AdamWArgs<M>): void;
  /** im2col of a batch of images; see {@link UnfoldArgs}. */
  unfold(args: UnfoldArgs<M>): void;
  /** col2im, the adjoint of {@link Backend.unfold}; see {@link FoldArgs}. */
  fold(args: FoldArgs<M>): void;
  /** Max pooling with the argmax indices; see {@link MaxPoolArgs}. */
  maxPool2d(args: MaxPoolArgs<M>): void;
  /** Max pooling backward; see {@link MaxPoolBackwardArgs}. */
  maxPool2dBackward(args: MaxPoolBackwardArgs<M>): void;
  /** Average pooling; see {@link AvgPoolArgs}. */
  avgPool2d(args: AvgPoolArgs<M>): void;
  /** Average pooling backward; see {@link AvgPoolBackwardArgs}. */
  avgPool2dBackward(args: AvgPoolBackwardArgs<M>): void;
}

/** A CPU backend: typed arrays in host memory, and weights packed for inference. */
export type HostBackend = Backend<HostMemory> & Required<Pick<Backend<HostMemory>, 'packLinear'>>;
