import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@proj/source'] },
  ssr: { resolve: { conditions: ['@proj/source'] } },
  // Training runs end to end; generous timeouts keep them green on a loaded 2-core machine.
  test: { include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
