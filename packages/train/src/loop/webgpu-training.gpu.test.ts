import { isDeviceStorage, registerBackend } from '@proj/tensor';
import { testWebGPUBackend } from '@proj/tensor/testing';
import { describe, expect, it } from 'vitest';
import { trainGPTOn } from '../testing/train-gpt-on.js';

/**
 * A GPT trains on the WebGPU backend (a real GPU, or Mesa's lavapipe on a CPU-only machine) to the
 * CPU backend's losses: the same initial weights and batches, forward, backward, clipping and AdamW
 * all on the GPU. GPU reductions add in another order than the CPU's and WGSL's exp/log are not
 * correctly rounded, so losses agree to float32 accuracy (1e-4 relative over ten steps), far below
 * what a wrong gradient or update moves them.
 */
const backend = await testWebGPUBackend('WebGPU training');
if (backend) registerBackend(backend);

async function train(backend: string) {
  const ids = Int32Array.from({ length: 3000 }, (_, i) => (i * 7 + (i >> 4)) % 29);
  const { model, result } = await trainGPTOn(backend, {
    config: { vocabSize: 29, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 32, dropout: 0 },
    train: ids.subarray(0, 2700),
    val: ids.subarray(2700),
    lr: 3e-3,
    maxIters: 10,
    evalInterval: 5,
    evalIters: 2,
    seeds: [3, 5],
  });
  return { result, onDevice: model.parameters().every((p) => isDeviceStorage(p.data.buffer)) };
}

describe.runIf(backend)('GPT training on WebGPU', () => {
  it('trains with the weights on the GPU to the CPU losses', async () => {
    const cpu = await train('js');
    const webgpu = await train('webgpu');
    expect(webgpu.onDevice).toBe(true);
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-4 * Math.abs(b));
    webgpu.result.history.steps.forEach(([, loss], i) => close(loss, cpu.result.history.steps[i]![1]));
    webgpu.result.history.evals.forEach(([, trainLoss, valLoss], i) => {
      close(trainLoss, cpu.result.history.evals[i]![1]);
      close(valLoss!, cpu.result.history.evals[i]![2]!);
    });
    expect(webgpu.result.history.steps.at(-1)![1]).toBeLessThan(webgpu.result.history.steps[0]![1] * 0.9);
  });
});
