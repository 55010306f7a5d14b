/**
 * The part of a test runner's API the conformance suite registers its tests with: vitest's
 * `describe` and `it`, or a collector that runs them itself (as the suite's own test does). Test
 * bodies are async: results on a device backend are read with `await backend.readAsync(…)`.
 */
export interface TestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => void | Promise<void>, timeout?: number): void;
}
