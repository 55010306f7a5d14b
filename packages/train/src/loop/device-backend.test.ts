import { isDeviceStorage, registerBackend } from '@proj/tensor';
import { createEmulatedDeviceBackend } from '@proj/tensor/testing';
import { describe, expect, it } from 'vitest';
import { trainGPTOn } from '../testing/train-gpt-on.js';

/**
 * The training loop on a backend whose memory the CPU cannot read synchronously (a GPU's): the
 * emulated device runs the JS kernels behind opaque storage, so every read of a loss, a gradient norm
 * or an evaluation must go through `itemAsync`/`dataAsync` (a synchronous read throws). It computes
 * what the JS backend computes, in float32 (no float64 on a device: the cross-entropy's mean and the
 * gradient norm are reduced in float32 there), so the losses agree to float32 rounding.
 */
registerBackend(createEmulatedDeviceBackend({ name: 'emulated-gpu' }));

async function run(backend: string) {
  const ids = Int32Array.from({ length: 2000 }, (_, i) => (i * 5) % 13);
  const { model, result } = await trainGPTOn(backend, {
    config: { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0 },
    train: ids.subarray(0, 1800),
    val: ids.subarray(1800),
    lr: 1e-2,
    maxIters: 6,
    evalInterval: 3,
    evalIters: 2,
    seeds: [7, 11],
  });
  return { result, onDevice: model.parameters().every((p) => isDeviceStorage(p.data.buffer)) };
}

describe('training on a device backend', () => {
  it('keeps the weights in device memory and matches the CPU losses, evaluations and gradient norms', async () => {
    const host = await run('js');
    const device = await run('emulated-gpu');
    expect(host.onDevice).toBe(false);
    expect(device.onDevice).toBe(true);
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-5 * Math.abs(b));
    expect(device.result.history.steps).toHaveLength(6);
    device.result.history.steps.forEach(([iter, loss], i) => {
      expect(iter).toBe(host.result.history.steps[i]![0]);
      close(loss, host.result.history.steps[i]![1]);
    });
    device.result.history.evals.forEach(([, train, val], i) => {
      close(train, host.result.history.evals[i]![1]);
      close(val!, host.result.history.evals[i]![2]!);
    });
    expect(device.result.history.steps.at(-1)![1]).toBeLessThan(device.result.history.steps[0]![1]);
  });
});
