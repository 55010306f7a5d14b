import type { AnyBackend } from '../backend/registry.js';

/**
 * Registers the backend conformance suite with vitest for the backend `createBackend` makes, in host
 * or device memory: its memory functions (`alloc`, `upload`, `readAsync` on every dtype it holds),
 * and every kernel of the `Backend` table on seeded inputs against the JS reference (odd sizes and
 * tails, broadcast, strided and transposed operands, NaN and infinities, float64 where the backend
 * holds it), and the transcendental kernels against float64 references. Each test uploads its inputs,
 * runs the kernel, and reads the results with `await backend.readAsync(…)`. A backend in another
 * package runs the same tests as the in-repo ones. Call it at the top level of a test file and await
 * it (vitest, an optional peer dependency, is loaded only then).
 * @param name the name the tests are grouped under
 * @param createBackend makes the backend under test (once, before the tests are registered)
 * @example await describeBackendConformance('webgpu', () => createWebGPUBackend({ gpu }));
 */
export async function describeBackendConformance(
  name: string,
  createBackend: () => AnyBackend | Promise<AnyBackend>,
): Promise<void> {
  const [{ describe, it }, { registerBackendConformance }, backend] = await Promise.all([
    import('vitest'),
    import('./conformance/suite.js'),
    createBackend(),
  ]);
  registerBackendConformance({ describe, it }, name, backend);
}
