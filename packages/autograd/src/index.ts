export { isGradEnabled, noGrad, type SyncCallback } from './grad-mode.js';
export { type GradcheckOptions, type GradcheckReport, gradcheck } from './gradcheck.js';
export { GradFn, type GradFnOptions } from './graph.js';
export { type AttentionOptions, causalMask, scaledDotProductAttention } from './ops/attention.js';
export { type BatchNormOptions, batchNorm } from './ops/batch-norm.js';
export {
  add,
  div,
  eq,
  ge,
  gt,
  le,
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
export { type Conv2dOptions, conv2d, fold, unfold } from './ops/conv.js';
export { gather, indexAdd, indexSelect, scatterAdd, topk, tril, triu } from './ops/indexing.js';
export { lift } from './ops/lift.js';
export { matmul } from './ops/matmul.js';
export {
  chunk,
  concat,
  contiguous,
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
  to,
  transpose,
  unsqueeze,
  view,
} from './ops/movement.js';
export type { CrossEntropyOptions, DropoutOptions } from './ops/nn.js';
export { crossEntropy, dropout, embedding, linear, logSoftmax, softmax } from './ops/nn.js';
export { layerNorm, rmsNorm } from './ops/norm.js';
export { avgPool2d, maxPool2d } from './ops/pool.js';
export { cumsum, logsumexp, max, mean, min, prod, std, sum, variance } from './ops/reduce.js';
export {
  abs,
  clamp,
  cos,
  erf,
  exp,
  gelu,
  log,
  neg,
  reciprocal,
  relu,
  rsqrt,
  sigmoid,
  silu,
  sin,
  sqrt,
  square,
  tanh,
} from './ops/unary.js';
export { sumToShape } from './tensor-utils.js';
export { type BackwardOptions, isVariable, Variable, type VariableLike, variable } from './variable.js';
