import { registerBackend, tensor } from '@proj/tensor';
import { createEmulatedDeviceBackend, withBackend } from '@proj/tensor/testing';
import { describe, expect, it } from 'vitest';
import { metricNumbers, readMetrics } from './metric-values.js';

registerBackend(createEmulatedDeviceBackend({ name: 'metrics-device' }));

describe('readMetrics and metricNumbers', () => {
  it('pass numbers through and read one-element tensors, in a device memory too', async () => {
    const onDevice = withBackend('metrics-device', () => tensor([0.25]));
    const values = { steps: 3, accuracy: onDevice, margin: tensor(1.5, { dtype: 'float64' }) };
    expect(await readMetrics(values)).toEqual({ steps: 3, accuracy: 0.25, margin: 1.5 });
    expect(await readMetrics(undefined)).toEqual({});
    expect(metricNumbers({ steps: 3, margin: tensor([[2]]) })).toEqual({ steps: 3, margin: 2 });
    expect(() => metricNumbers({ accuracy: onDevice })).toThrow(/reads only asynchronously/);
  });

  it('refuse a tensor metric of more than one element, naming it', async () => {
    await expect(readMetrics({ accuracy: tensor([1, 0]) })).rejects.toThrow(
      "metric 'accuracy' has 2 elements, not 1",
    );
  });
});
