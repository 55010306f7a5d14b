import { defineConfig } from 'vitest/config';

/** Test files that run on a WebGPU adapter (Dawn in Node). */
const GPU_TESTS = 'src/**/*.gpu.test.ts';

/**
 * A package's vitest config: sibling packages are read from source through the `@proj/source`
 * export condition, tests sit beside the code, and the timeout is a hang guard sized for a busy
 * 2-core machine (tests never assert timings). `test` overrides or extends these settings.
 *
 * `*.gpu.test.ts` files run in worker threads rather than forked processes: Dawn (the `webgpu`
 * package) aborts a forked vitest worker ("terminate called after throwing std::system_error").
 */
export function projectConfig(test = {}) {
  const base = { testTimeout: 60_000, hookTimeout: 60_000 };
  return defineConfig({
    resolve: { conditions: ['@proj/source'] },
    ssr: { resolve: { conditions: ['@proj/source'] } },
    test: {
      ...base,
      projects: [
        {
          extends: true,
          test: { name: 'cpu', include: ['src/**/*.test.ts'], exclude: [GPU_TESTS], ...test },
        },
        { extends: true, test: { name: 'gpu', include: [GPU_TESTS], pool: 'threads', ...test } },
      ],
    },
  });
}
