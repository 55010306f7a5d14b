import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@proj/source'] },
  ssr: { resolve: { conditions: ['@proj/source'] } },
  // The tests share no mutable global state (grad mode is restored, generators are explicit), so
  // files reuse one module graph per worker: half the CPU time of re-importing per file.
  test: { include: ['src/**/*.test.ts'], isolate: false },
});
