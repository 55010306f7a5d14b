import { tensor, zeros } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { batchNorm } from './batch-norm.js';
import { conv2d } from './conv.js';

const images = zeros([2, 4, 5, 5]);

describe('conv2d errors name the op, the argument and the shapes', () => {
  it('channels, groups and bias', () => {
    expect(() => conv2d(images, zeros([3, 3, 3, 3]))).toThrow(
      'conv2d: weight [3, 3, 3, 3] with groups 1 expects 3 input channels, input [2, 4, 5, 5] has 4',
    );
    expect(() => conv2d(images, zeros([3, 2, 3, 3]), null, { groups: 2 })).toThrow(
      'conv2d: groups 2 must be a positive integer dividing the 4 input and 3 output channels',
    );
    expect(() => conv2d(images, zeros([4, 4, 3, 3]), zeros([3]))).toThrow(
      'conv2d: bias [3] must be [4] for weight [4, 4, 3, 3]',
    );
    expect(() => conv2d(zeros([4, 5]), zeros([4, 4, 3, 3]))).toThrow(
      'conv2d: input must be [N, C, H, W] or [C, H, W], got [4, 5]',
    );
    expect(() => conv2d(images, zeros([4, 4, 3]))).toThrow(
      'conv2d: weight must be [Cout, Cin/groups, kh, kw], got [4, 4, 3]',
    );
    expect(() => conv2d(images.to('int32'), zeros([4, 4, 3, 3]))).toThrow(
      'conv2d: input must be float32 or float64, got int32',
    );
  });

  it("padding 'same' needs stride 1; a kernel larger than the padded image is a ShapeError", () => {
    expect(() => conv2d(images, zeros([4, 4, 3, 3]), null, { padding: 'same', stride: 2 })).toThrow(
      "conv2d: padding 'same' needs stride 1, got 2",
    );
    expect(conv2d(images, zeros([4, 4, 4, 2]), null, { padding: 'same' }).shape).toEqual([2, 4, 5, 5]);
    expect(() => conv2d(images, zeros([4, 4, 7, 7]))).toThrow(
      'conv2d: input [2, 4, 5, 5] is too small for kernel 7x7',
    );
  });
});

describe('batchNorm errors', () => {
  const x = zeros([2, 3, 2, 2]);
  it('misshaped statistics or parameters, missing statistics outside training', () => {
    expect(() => batchNorm(x, zeros([2]), zeros([3]))).toThrow(
      'batchNorm: runningMean [2] must be [3] for input [2, 3, 2, 2]',
    );
    expect(() => batchNorm(x, null, null, zeros([3]), zeros([4]), { training: true })).toThrow(
      'batchNorm: bias [4] must be [3] for input [2, 3, 2, 2]',
    );
    expect(() => batchNorm(x, null, null)).toThrow(
      'batchNorm: runningMean and runningVar are needed when not training',
    );
    expect(() => batchNorm(tensor([1, 2, 3]), null, null, null, null, { training: true })).toThrow(
      'batchNorm: input must be [N, C, ...], got [3]',
    );
  });
});
