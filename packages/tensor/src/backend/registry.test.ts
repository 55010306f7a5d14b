import { describe, expect, it } from 'vitest';
import { arange } from '../ops/creation.js';
import { contiguousStorage } from '../storage.js';
import { withBackend } from '../testing/index.js';
import { jsBackend } from './js/index.js';
import { backendName, backendOf, registerBackend } from './registry.js';

describe('backend registry', () => {
  it('names the active backend', () => {
    expect(withBackend('js', backendName)).toBe('js');
  });

  it('leaves host memory to a host backend while a device backend is active', () => {
    // A stand-in device backend: its kernels must never see a host array.
    const device = {
      ...jsBackend,
      name: 'fake-device',
      memory: 'device' as const,
      copy: () => {
        throw new Error('the device copy kernel got host memory');
      },
    };
    registerBackend(device);
    const strided = arange(6).reshape([2, 3]).transpose();
    withBackend('fake-device', () => {
      expect(backendOf(strided).memory).toBe('host');
      expect([...(contiguousStorage('test', strided, backendOf(strided)) as Int32Array)]).toEqual([
        0, 3, 1, 4, 2, 5,
      ]);
      expect(strided.add(1).buffer).toBeInstanceOf(Int32Array);
    });
  });
});
