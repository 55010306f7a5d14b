import { defineConfig } from 'vite';
import { corpusAssets } from './build/corpus-assets.js';

/** Cross-origin isolation: `SharedArrayBuffer`, and so the WASM backend's threads, need both. */
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  plugins: [corpusAssets()],
  server: { headers: ISOLATION },
  preview: { headers: ISOLATION },
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
