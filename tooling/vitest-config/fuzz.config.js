import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `pnpm fuzz`: the vitest project of every package and app, each with its own config, so that
 * one run finds every `*.fuzz.test.ts` (the root script passes that filter and sets
 * `PROJ_FUZZ_RUNS` and `PROJ_FUZZ_KILLS` high).
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: { projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts'] },
});
