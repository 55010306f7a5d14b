import { defineConfig } from 'vitest/config';

/**
 * A package's vitest config: sibling packages are read from source through the `@proj/source`
 * export condition, tests sit beside the code, and the timeout is a hang guard sized for a busy
 * 2-core machine (tests never assert timings). `test` overrides or extends these settings.
 */
export function projectConfig(test = {}) {
  return defineConfig({
    resolve: { conditions: ['@proj/source'] },
    ssr: { resolve: { conditions: ['@proj/source'] } },
    test: { include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000, ...test },
  });
}
