import type * as T from '@proj/tensor';
import type * as A from '../index.js';
import type { CaseSet } from './arbitraries.js';
import { binaryCases } from './binary.js';
import { convCases } from './conv.js';
import { indexingCases } from './indexing.js';
import { matmulCases } from './matmul.js';
import { movementCases } from './movement.js';
import { nnCases } from './nn.js';
import { reduceCases } from './reduce.js';
import { unaryCases } from './unary.js';

/** Names of a module's exported functions (classes, constants and types excluded). */
export type FunctionNames<M> = {
  [K in keyof M]: M[K] extends (...args: never) => unknown ? K : never;
}[keyof M] &
  string;

/**
 * The reviewed list of @proj/tensor functions that have no gradient: creation and randomness
 * (constants of the graph), comparisons and logic (bool results), integer-valued or piecewise
 * constant ops (zero gradient almost everywhere), index-valued ops, and backend / IO / shape helpers.
 * Every other tensor function must have an @proj/autograd function of the same name with gradient checks.
 */
export const nonDifferentiableTensorFunctions = [
  // creation
  'tensor',
  'zeros',
  'ones',
  'full',
  'zerosLike',
  'onesLike',
  'fullLike',
  'arange',
  'linspace',
  'eye',
  'oneHot',
  // randomness
  'rand',
  'randn',
  'randint',
  'bernoulli',
  'multinomial',
  'randperm',
  'manualSeed',
  'defaultGenerator',
  // comparisons and logic → bool
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'logicalAnd',
  'logicalOr',
  'logicalNot',
  // piecewise constant or index-valued
  'sign',
  'floor',
  'ceil',
  'round',
  'argmax',
  'argmin',
  // backends, dtypes, shapes, IO
  'backendName',
  'listBackends',
  'registerBackend',
  'createWebGPUBackend',
  'isDeviceStorage',
  'setBackend',
  'createWebGPUBackend',
  'isDeviceStorage',
  'wasmStats',
  'enableThreads',
  'disableThreads',
  'getNumThreads',
  'setNumThreads',
  'isFloatDType',
  'promoteTypes',
  'broadcastShapes',
  'contiguousStrides',
  'shapeSize',
  'halfToFloat',
  'loadSafetensors',
  'saveSafetensors',
  'readSafetensorsHeader',
  'windowGeometry',
  // values and argmax positions: autograd's maxPool2d differentiates the values
  'maxPool2dWithIndices',
  // fused forward and backward functions: the gradient rules of autograd's fused ops (their own
  // gradients are checked through those ops), and the optimizer's in-place updates
  'layerNormForward',
  'layerNormBackward',
  'rmsNormForward',
  'rmsNormBackward',
  'crossEntropyForward',
  'crossEntropyBackward',
  'softmaxBackward',
  'logSoftmaxBackward',
  'attentionSoftmaxForward',
  'attentionSoftmaxBackward',
  'scaledDotProductAttentionForward',
  'scaledDotProductAttentionBackward',
  'unaryBackward',
  'maxPool2dBackward',
  'avgPool2dBackward',
  'adamwStep',
  'mulInPlace',
  // inference with packed weights: constants in a backend's memory, no gradient
  'packLinear',
  'packedLinear',
  // duplicate-copy checks
  'isTensor',
  'rejectForeignCopy',
] as const satisfies readonly FunctionNames<typeof T>[];

/** @proj/autograd functions that are not differentiable ops: comparisons, graph control, helpers. */
export const nonDifferentiableAutogradFunctions = [
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'causalMask',
  'gradcheck',
  'isGradEnabled',
  'noGrad',
  'lift',
  'variable',
  'isVariable',
  'sumToShape', // a gradient helper with its own property test (tensor-utils.prop.test.ts)
] as const satisfies readonly FunctionNames<typeof A>[];

/** Every differentiable op: the differentiable tensor functions plus autograd's own (fused) ops. */
export type DifferentiableOp =
  | Exclude<FunctionNames<typeof T>, (typeof nonDifferentiableTensorFunctions)[number]>
  | Exclude<FunctionNames<typeof A>, (typeof nonDifferentiableAutogradFunctions)[number]>;

/**
 * Gradient checks keyed by op name: an op without an entry is a compile error here, and a test
 * failure in completeness.test.ts.
 */
export const gradCases = {
  ...unaryCases,
  ...binaryCases,
  ...reduceCases,
  ...matmulCases,
  ...movementCases,
  ...indexingCases,
  ...nnCases,
  ...convCases,
} satisfies Record<DifferentiableOp, CaseSet>;
