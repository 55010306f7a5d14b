import { describe, expect, it } from 'vitest';
import { kernelNames } from '../../testing/conformance/kernels.js';
import { jsBackend } from '../js/index.js';
import { wasmBackend } from '../wasm/index.js';

/**
 * Every kernel of the backend table has a conformance test in the suite under
 * src/testing/conformance; adding a kernel to `Backend` without adding it here (and a test) fails.
 */
const COVERED: Record<string, string> = {
  unary: 'unary.ts',
  binary: 'binary.ts',
  where: 'binary.ts',
  copy: 'binary.ts',
  copyInto: 'binary.ts',
  reduce: 'binary.ts',
  matmul: 'matmul.ts (and threads.test.ts here)',
  packLinear: 'packed-linear.ts (and threads.test.ts here)',
  softmax: 'rows.ts',
  softmaxBackward: 'rows.ts',
  attentionSoftmax: 'rows.ts',
  attentionSoftmaxBackward: 'rows.ts',
  attention: 'attention.ts',
  attentionBackward: 'attention.ts',
  layerNorm: 'rows.ts',
  layerNormBackward: 'rows.ts',
  crossEntropy: 'rows.ts',
  crossEntropyBackward: 'rows.ts',
  unaryBackward: 'fused.ts',
  adamw: 'fused.ts',
  indexSelect: 'indexing.ts',
  indexAdd: 'indexing.ts',
  gather: 'gather.ts',
  scatterAdd: 'gather.ts',
  unfold: 'window.ts',
  fold: 'window.ts',
  maxPool2d: 'window.ts',
  maxPool2dBackward: 'window.ts',
  avgPool2d: 'window.ts',
  avgPool2dBackward: 'window.ts',
};

describe('conformance coverage', () => {
  it('names every kernel of the JS reference and of the wasm backend', () => {
    expect(kernelNames(jsBackend)).toEqual(Object.keys(COVERED).sort());
    expect(kernelNames(wasmBackend)).toEqual(Object.keys(COVERED).sort());
  });
});
