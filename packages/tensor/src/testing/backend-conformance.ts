import type { Backend } from '../backend/backend.js';

/**
 * Registers the backend conformance suite with vitest for the backend `createBackend` makes: every
 * kernel of the `Backend` table on seeded inputs against the JS reference (odd sizes and tails,
 * broadcast, strided and transposed operands, NaN and infinities, float64), and the transcendental
 * kernels against float64 references. A backend in another package runs the same tests as the
 * in-repo ones. Call it at the top level of a test file and await it (vitest, an optional peer
 * dependency, is loaded only then).
 * @param name the name the tests are grouped under
 * @param createBackend makes the backend under test (once, before the tests are registered)
 * @example await describeBackendConformance('webgpu', () => createWebGPUBackend());
 */
export async function describeBackendConformance(
  name: string,
  createBackend: () => Backend | Promise<Backend>,
): Promise<void> {
  const [{ describe, it }, { registerBackendConformance }, backend] = await Promise.all([
    import('vitest'),
    import('./conformance/suite.js'),
    createBackend(),
  ]);
  registerBackendConformance({ describe, it }, name, backend);
}
