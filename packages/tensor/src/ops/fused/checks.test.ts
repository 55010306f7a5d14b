import { describe, expect, it } from 'vitest';
import { errorOf } from '../../testing/index.js';
import { zeros } from '../creation.js';
import { adamwStep } from './adamw.js';
import { scaledDotProductAttentionForward } from './attention.js';
import { crossEntropyForward } from './cross-entropy.js';
import { layerNormForward } from './norm.js';
import { maxPool2dBackward } from './pool-backward.js';

const ADAM = { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, step: 1 } as const;

describe('fused functions check their operands', () => {
  it('with errors that name the function, the operand and the shapes', () => {
    const x = zeros([2, 3]);
    expect(errorOf(() => layerNormForward(x, zeros([4]))).message).toBe(
      'layerNormForward: weight [4] must be [3] for input [2, 3]',
    );
    expect(errorOf(() => layerNormForward(zeros([3], { dtype: 'int32' }))).message).toBe(
      'layerNormForward: input must be float32 or float64, got int32',
    );
    expect(errorOf(() => crossEntropyForward(x, zeros([3], { dtype: 'int32' }))).message).toBe(
      'crossEntropyForward: expected logits [rows, C] and targets [rows]; got logits [2, 3], targets [3]',
    );
    expect(
      errorOf(() => crossEntropyForward(x, zeros([2], { dtype: 'int32' }), { labelSmoothing: 2 })).message,
    ).toBe('crossEntropyForward: labelSmoothing must be in [0, 1], got 2');
    expect(
      errorOf(() =>
        maxPool2dBackward(zeros([1, 1, 2, 2]), zeros([1, 1, 2, 2], { dtype: 'int32' }), [1, 1, 4, 4], 3),
      ).message,
    ).toBe(
      'maxPool2dBackward: gradient [1, 1, 2, 2] must be the pooled shape [1, 1, 1, 1] of input [1, 1, 4, 4]',
    );
    expect(errorOf(() => adamwStep(x.transpose(), x, zeros([3, 2]), zeros([3, 2]), ADAM)).message).toMatch(
      /^adamwStep: param \[3, 2\] is a view; the step writes it in place/,
    );
  });

  it('scaled dot-product attention: batch dims that do not broadcast, and a mask that would add batch dims', () => {
    const [q, k, v] = [zeros([2, 3, 4]), zeros([3, 5, 4]), zeros([3, 5, 2])];
    expect(errorOf(() => scaledDotProductAttentionForward(q, k, v)).message).toBe(
      'scaledDotProductAttentionForward: shapes [2] and [3] and [3] cannot be broadcast (axis -1: 2 vs 3)',
    );
    const mask = zeros([3, 2, 4], { dtype: 'bool' });
    expect(
      errorOf(() => scaledDotProductAttentionForward(zeros([2, 3]), zeros([4, 3]), zeros([4, 2]), { mask }))
        .message,
    ).toBe('scaledDotProductAttentionForward: mask [3, 2, 4] does not broadcast to the scores [2, 4]');
  });
});
