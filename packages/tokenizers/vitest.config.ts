import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@proj/source'] },
  ssr: { resolve: { conditions: ['@proj/source'] } },
  // The parity tests encode whole corpora with us and with the reference encoders; a busy
  // 2-core machine can take a minute over one.
  test: { include: ['src/**/*.test.ts'], testTimeout: 180_000 },
});
