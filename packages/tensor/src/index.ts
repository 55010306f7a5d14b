// The WebGPU backend's sources use the WebGPU globals: packages that type-check this source (through
// the @proj/source condition) get them here. TypeScript does not emit the directive into declarations.
/// <reference types="@webgpu/types" />
export type {
  AdamWArgs,
  AttentionArgs,
  AttentionBackwardArgs,
  AttentionSoftmaxArgs,
  Backend,
  BinaryOp,
  CrossEntropyArgs,
  CrossEntropyBackwardArgs,
  GatherArgs,
  HostBackend,
  IndexAddArgs,
  IndexBlocks,
  IndexSelectArgs,
  MatmulArgs,
  MatrixBatch,
  NormArgs,
  NormBackwardArgs,
  PackedLinearKernel,
  PackLinearArgs,
  ReduceOp,
  ScatterAddArgs,
  StridedView,
  UnaryGradOp,
  UnaryOp,
} from './backend/backend.js';
export { FUSED_KERNEL_NAMES, type FusedHostBackend, type FusedKernelName } from './backend/fused-kernels.js';
export type { DeviceMemory, DeviceStorage, HostMemory, KernelMemory, Storage } from './backend/memory.js';
export { isDeviceStorage } from './backend/memory.js';
export type { AnyBackend, AnyMemory } from './backend/registry.js';
export { backendName, listBackends, registerBackend, setBackend } from './backend/registry.js';
export type { WasmStats } from './backend/wasm/stats.js';
export { wasmStats } from './backend/wasm/stats.js';
export type { SpawnWorker, WorkerHandle } from './backend/wasm/thread-pool.js';
export type { EnableThreadsOptions } from './backend/wasm/threads.js';
export { disableThreads, enableThreads, getNumThreads, setNumThreads } from './backend/wasm/threads.js';
export type { WorkerInit } from './backend/wasm/worker-source.js';
export { createWebGPUBackend, type WebGPUBackend, type WebGPUOptions } from './backend/webgpu/index.js';
export type {
  AvgPoolArgs,
  AvgPoolBackwardArgs,
  FoldArgs,
  MaxPoolArgs,
  MaxPoolBackwardArgs,
  UnfoldArgs,
  WindowGeometry,
} from './backend/window-args.js';
export type { DType, FloatArray, StorageMap, TypedArray } from './dtype.js';
export { isFloatDType, promoteTypes } from './dtype.js';
export { DuplicatePackageError, type PackageBrand, rejectForeignCopy } from './duplicate-copies.js';
export { DeviceMemoryError, DTypeError, ShapeError } from './errors.js';
export type { WeightDType } from './half-precision.js';
export {
  halfToFloat,
  loadSafetensors,
  readSafetensorsHeader,
  SafetensorsError,
  saveSafetensors,
} from './io/safetensors.js';
export type { SafetensorsTensorInfo } from './io/safetensors-header.js';
export type { TensorLike } from './ops/binary.js';
export {
  add,
  div,
  eq,
  ge,
  gt,
  le,
  logicalAnd,
  logicalOr,
  lt,
  maskedFill,
  maximum,
  minimum,
  mul,
  ne,
  pow,
  sub,
  where,
} from './ops/binary.js';
export type { NestedArray, TensorOptions } from './ops/creation.js';
export {
  arange,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  tensor,
  zeros,
  zerosLike,
} from './ops/creation.js';
export { unaryBackward } from './ops/fused/activation-backward.js';
export { type AdamWStepOptions, adamwStep } from './ops/fused/adamw.js';
export {
  type AttentionGrads,
  type AttentionResult,
  scaledDotProductAttentionBackward,
  scaledDotProductAttentionForward,
} from './ops/fused/attention.js';
export type { AttentionKernelOptions } from './ops/fused/attention-layout.js';
export { attentionSoftmaxBackward, attentionSoftmaxForward } from './ops/fused/attention-softmax.js';
export {
  type CrossEntropyKernelOptions,
  type CrossEntropyResult,
  crossEntropyBackward,
  crossEntropyForward,
} from './ops/fused/cross-entropy.js';
export {
  type LayerNormResult,
  layerNormBackward,
  layerNormForward,
  type NormGradMask,
  type NormGrads,
  type RmsNormResult,
  rmsNormBackward,
  rmsNormForward,
} from './ops/fused/norm.js';
export { avgPool2dBackward, maxPool2dBackward } from './ops/fused/pool-backward.js';
export { logSoftmaxBackward, softmaxBackward } from './ops/fused/softmax.js';
export { gather, scatterAdd } from './ops/gather.js';
export { mulInPlace } from './ops/in-place.js';
export { indexAdd, indexSelect } from './ops/index-rows.js';
export type { TopkOptions } from './ops/indexing.js';
export { oneHot, topk, tril, triu } from './ops/indexing.js';
export { matmul } from './ops/matmul.js';
export {
  chunk,
  concat,
  expand,
  flatten,
  narrow,
  permute,
  reshape,
  select,
  slice,
  split,
  squeeze,
  stack,
  transpose,
  unsqueeze,
  view,
} from './ops/movement.js';
export { PackedLinear, type PackLinearOptions, packedLinear, packLinear } from './ops/packed-linear.js';
export {
  type AvgPool2dOptions,
  avgPool2d,
  type MaxPool2dOptions,
  type MaxPoolResult,
  maxPool2d,
  maxPool2dWithIndices,
} from './ops/pool.js';
export type { RandomOptions } from './ops/random.js';
export { bernoulli, multinomial, rand, randint, randn, randperm } from './ops/random.js';
export type { Dims, ReduceOptions, VarianceOptions } from './ops/reduce.js';
export {
  argmax,
  argmin,
  cumsum,
  logSoftmax,
  logsumexp,
  max,
  mean,
  min,
  prod,
  softmax,
  std,
  sum,
  variance,
} from './ops/reduce.js';
export {
  abs,
  ceil,
  clamp,
  cos,
  erf,
  exp,
  floor,
  gelu,
  log,
  logicalNot,
  neg,
  reciprocal,
  relu,
  round,
  rsqrt,
  sigmoid,
  sign,
  silu,
  sin,
  sqrt,
  square,
  tanh,
} from './ops/unary.js';
export {
  fold,
  type Size2d,
  type UnfoldOptions,
  unfold,
  type WindowOptions,
  windowGeometry,
} from './ops/window.js';
export type {
  GeneratorAlgorithm,
  GeneratorOptions,
  GeneratorState,
  TorchGeneratorState,
  XoshiroState,
} from './random/generator.js';
export { defaultGenerator, Generator, manualSeed } from './random/generator.js';
export type { Shape } from './shape.js';
export { broadcastShapes, contiguousStrides, shapeSize } from './shape.js';
export type { NestedValues } from './tensor.js';
export { isTensor, Tensor } from './tensor.js';
