import { Generator, isDeviceStorage, randn, registerBackend, type Tensor, tensor } from '@proj/tensor';
import { testWebGPUBackend, withBackend } from '@proj/tensor/testing';
import { describe, expect, it } from 'vitest';
import { variable } from '../variable.js';
import { gather } from './indexing.js';

/**
 * Gather's gradient (a scatter-add) on the WebGPU backend: the same values as on the CPU, with the
 * gradient left in GPU memory.
 */
const backend = await testWebGPUBackend('autograd gather on WebGPU');
if (backend) registerBackend(backend);

/** `x.grad` of `Σ w ⊙ gather(x, 1, index)` for x [4, 6], an index [4, 3] with repeats, on `backend`. */
function gatherGradient(backend: string): Tensor {
  return withBackend(backend, () => {
    const x = variable(randn([4, 6], { generator: new Generator(1) }), { requiresGrad: true });
    const index = tensor([0, 5, 0, 2, 2, 2, 1, 4, 3, 5, 0, 5], { dtype: 'int32' }).reshape([4, 3]);
    const w = randn([4, 3], { generator: new Generator(2) });
    gather(x, 1, index).mul(w).sum().backward();
    return x.grad!;
  });
}

describe.runIf(backend)('gather on WebGPU', () => {
  it('backpropagates through a scatter-add on the GPU to the CPU gradient', async () => {
    const cpu = gatherGradient('js');
    const gpu = gatherGradient('webgpu');
    expect(isDeviceStorage(gpu.buffer)).toBe(true);
    // repeated indices sum their weights in index order on both: equal bit for bit
    expect([...(await gpu.dataAsync())]).toEqual([...cpu.data()]);
  });
});
