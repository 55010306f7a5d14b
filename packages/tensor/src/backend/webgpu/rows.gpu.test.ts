import { afterAll, describe, expect, it } from 'vitest';
import { DeviceMemoryError, DTypeError, ShapeError } from '../../errors.js';
import type { DeviceStorage } from '../memory.js';
import { rowKernels } from './rows.js';
import { testRuntime } from './test-runtime.js';

const rt = await testRuntime('row kernel assembly');
afterAll(() => rt?.device.destroy());

describe.runIf(rt)('webgpu row kernels', () => {
  it('assembles every norm, loss, activation, optimizer and window kernel', () => {
    expect(Object.keys(rowKernels(rt!)).sort()).toEqual(
      [
        'adamw',
        'avgPool2d',
        'avgPool2dBackward',
        'crossEntropy',
        'crossEntropyBackward',
        'fold',
        'layerNorm',
        'layerNormBackward',
        'maxPool2d',
        'maxPool2dBackward',
        'unaryBackward',
        'unfold',
      ].sort(),
    );
  });

  it('rejects storage of the wrong dtype, too short, or of another backend, naming kernel and argument', () => {
    const kernels = rowKernels(rt!);
    const norm = {
      x: rt!.alloc('float32', 6),
      weight: null,
      bias: null,
      out: rt!.alloc('float32', 6),
      mean: rt!.alloc('float32', 2),
      rstd: rt!.alloc('float32', 2),
      rows: 2,
      cols: 3,
      eps: 1e-5,
      rms: false,
    };
    expect(() => kernels.layerNorm({ ...norm, x: rt!.alloc('int32', 6) })).toThrow(
      new DTypeError('webgpu layerNorm: x is int32, expected float32'),
    );
    expect(() => kernels.layerNorm({ ...norm, out: rt!.alloc('float32', 5) })).toThrow(
      new ShapeError('webgpu layerNorm: out holds 5 elements, needs 6'),
    );
    const foreign: DeviceStorage = { backend: 'elsewhere', dtype: 'float32', length: 6 };
    expect(() => kernels.unaryBackward('relu', foreign, norm.x, norm.out)).toThrow(DeviceMemoryError);
    expect(() =>
      kernels.crossEntropy({
        logits: norm.x,
        targets: rt!.alloc('float32', 2),
        losses: norm.mean,
        lse: norm.rstd,
        rows: 2,
        classes: 3,
        ignoreIndex: -100,
        labelSmoothing: 0,
      }),
    ).toThrow(new DTypeError('webgpu crossEntropy: targets is float32, expected int32'));
  });
});
