/**
 * The part of a test runner's API the conformance suite registers its tests with: vitest's
 * `describe` and `it`, or a collector that runs them itself (as the suite's own test does).
 */
export interface TestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => void, timeout?: number): void;
}
