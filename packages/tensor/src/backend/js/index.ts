import type { FusedHostBackend } from '../fused-kernels.js';
import { hostBackendMemory } from '../memory.js';
import { unaryBackward } from './activation-grad.js';
import { adamw } from './adamw.js';
import { attentionSoftmax, attentionSoftmaxBackward } from './attention.js';
import { copyInto } from './copy-into.js';
import { crossEntropy, crossEntropyBackward } from './cross-entropy.js';
import { binary, copy, unary, where } from './elementwise.js';
import { attention, attentionBackward } from './fused-attention.js';
import { gather, indexAdd, indexSelect, scatterAdd } from './indexing.js';
import { matmul } from './matmul.js';
import { layerNorm, layerNormBackward } from './norm.js';
import { packLinear } from './packed-linear.js';
import { reduce, softmax, softmaxBackward } from './reduce.js';
import { avgPool2d, avgPool2dBackward, fold, maxPool2d, maxPool2dBackward, unfold } from './window.js';

/** The plain-JavaScript kernels: always available, and the reference for every other backend. */
export const jsBackend: FusedHostBackend = {
  name: 'js',
  ...hostBackendMemory,
  unary,
  binary,
  copy,
  copyInto,
  where,
  reduce,
  matmul,
  packLinear,
  softmax,
  softmaxBackward,
  attentionSoftmax,
  attentionSoftmaxBackward,
  attention,
  attentionBackward,
  unaryBackward,
  layerNorm,
  layerNormBackward,
  crossEntropy,
  crossEntropyBackward,
  indexSelect,
  indexAdd,
  gather,
  scatterAdd,
  adamw,
  unfold,
  fold,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
};
