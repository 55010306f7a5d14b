import { describe, expect, it } from 'vitest';
import { jsBackend } from '../js/index.js';
import { wasmBackend } from '../wasm/index.js';

/**
 * Every kernel of the backend table has a conformance test in this folder; adding a kernel to
 * `Backend` without adding it here (and a test) fails.
 */
const COVERED: Record<string, string> = {
  unary: 'unary.test.ts',
  binary: 'binary.test.ts',
  where: 'binary.test.ts',
  copy: 'binary.test.ts',
  reduce: 'binary.test.ts',
  matmul: 'matmul.test.ts, threads.test.ts',
  packLinear: 'packed-linear.test.ts, threads.test.ts',
  softmax: 'rows.test.ts',
  softmaxBackward: 'rows.test.ts',
  attentionSoftmax: 'rows.test.ts',
  attentionSoftmaxBackward: 'rows.test.ts',
  attention: 'attention.test.ts',
  attentionBackward: 'attention.test.ts',
  layerNorm: 'rows.test.ts',
  layerNormBackward: 'rows.test.ts',
  crossEntropy: 'rows.test.ts',
  crossEntropyBackward: 'rows.test.ts',
  unaryBackward: 'fused.test.ts',
  adamw: 'fused.test.ts',
  unfold: 'window.test.ts',
  fold: 'window.test.ts',
  maxPool2d: 'window.test.ts',
  maxPool2dBackward: 'window.test.ts',
  avgPool2d: 'window.test.ts',
  avgPool2dBackward: 'window.test.ts',
};

describe('conformance coverage', () => {
  it('names every kernel of the JS reference and of the wasm backend', () => {
    const kernels = (b: object) =>
      Object.keys(b)
        .filter((k) => k !== 'name')
        .sort();
    expect(kernels(jsBackend)).toEqual(Object.keys(COVERED).sort());
    expect(kernels(wasmBackend)).toEqual(Object.keys(COVERED).sort());
  });
});
