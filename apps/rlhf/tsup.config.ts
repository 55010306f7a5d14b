import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'src/main.ts', 'afinn-reward': 'src/afinn-reward.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
