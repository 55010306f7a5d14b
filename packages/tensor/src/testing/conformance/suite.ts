import { expect } from 'vitest';
import type { AnyBackend } from '../../backend/registry.js';
import { accuracyConformance } from './accuracy.js';
import { attentionConformance } from './attention.js';
import { binaryConformance } from './binary.js';
import { fusedConformance } from './fused.js';
import { gatherConformance } from './gather.js';
import { indexingConformance } from './indexing.js';
import { HOST_ONLY_KERNELS, kernelNames, OPTIONAL_KERNELS } from './kernels.js';
import { matmulConformance } from './matmul.js';
import { memoryConformance } from './memory.js';
import { packedLinearConformance } from './packed-linear.js';
import { rowConformance } from './rows.js';
import type { TestApi } from './test-api.js';
import { unaryConformance } from './unary.js';
import { windowConformance } from './window.js';

/**
 * Registers, under `describe(name)`, every conformance test on `backend`: its memory functions, each
 * kernel on seeded inputs against the JS reference (tails, broadcast and strided operands, special
 * values, and float64 where its memory holds float64), and the transcendental kernels against
 * float64 references. Inputs are uploaded into the backend's memory and results read back with
 * `readAsync`, so host and device backends run the same tests.
 */
export function registerBackendConformance(api: TestApi, name: string, backend: AnyBackend): void {
  const required = kernelNames().filter(
    (kernel) =>
      !OPTIONAL_KERNELS.includes(kernel) &&
      (backend.memory === 'host' || !HOST_ONLY_KERNELS.includes(kernel)),
  );
  api.describe(`${name} backend conformance`, () => {
    api.it(
      `implements every required kernel of the backend table${backend.memory === 'device' ? ' (packLinear is host-only)' : ''}`,
      () => {
        const missing = required.filter((kernel) => typeof Reflect.get(backend, kernel) !== 'function');
        expect(missing, `${name} lacks kernels`).toEqual([]);
      },
    );
    memoryConformance(api, backend);
    unaryConformance(api, backend);
    binaryConformance(api, backend);
    matmulConformance(api, backend);
    if (backend.packLinear) packedLinearConformance(api, { packLinear: backend.packLinear.bind(backend) });
    rowConformance(api, backend);
    attentionConformance(api, backend);
    fusedConformance(api, backend);
    indexingConformance(api, backend);
    gatherConformance(api, backend);
    windowConformance(api, backend);
    accuracyConformance(api, backend);
  });
}
