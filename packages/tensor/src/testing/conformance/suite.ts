import { expect } from 'vitest';
import type { Backend } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import { accuracyConformance } from './accuracy.js';
import { attentionConformance } from './attention.js';
import { binaryConformance } from './binary.js';
import { fusedConformance } from './fused.js';
import { matmulConformance } from './matmul.js';
import { packedLinearConformance } from './packed-linear.js';
import { rowConformance } from './rows.js';
import type { TestApi } from './test-api.js';
import { unaryConformance } from './unary.js';
import { windowConformance } from './window.js';

/** Members of a backend that are not kernels: its name and how it allocates and moves memory. */
const NOT_KERNELS = new Set(['name', 'memory', 'dtypes', 'alloc', 'upload', 'readAsync']);

/** The kernels of the backend table: every function of the JS reference. */
export function kernelNames(backend: Backend = jsBackend): string[] {
  return Object.keys(backend)
    .filter((key) => !NOT_KERNELS.has(key))
    .sort();
}

/**
 * Registers, under `describe(name)`, every conformance test on `backend`: each kernel on seeded
 * inputs against the JS reference (tails, broadcast and strided operands, special values, float64),
 * and the transcendental kernels against float64 references.
 */
export function registerBackendConformance(api: TestApi, name: string, backend: Backend): void {
  api.describe(`${name} backend conformance`, () => {
    api.it('implements every kernel of the backend table', () => {
      const missing = kernelNames().filter((kernel) => typeof Reflect.get(backend, kernel) !== 'function');
      expect(missing, `${name} lacks kernels`).toEqual([]);
    });
    unaryConformance(api, backend);
    binaryConformance(api, backend);
    matmulConformance(api, backend);
    if (backend.packLinear) packedLinearConformance(api, { ...backend, packLinear: backend.packLinear });
    rowConformance(api, backend);
    attentionConformance(api, backend);
    fusedConformance(api, backend);
    windowConformance(api, backend);
    accuracyConformance(api, backend);
  });
}
