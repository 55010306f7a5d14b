/**
 * Loads TensorFlow.js for Node with gradients and the cpu and wasm backends. The packages' Node
 * entries are CommonJS bundles without the gradient functions, and their ESM builds use
 * extensionless imports Node refuses, so this bundles the ESM builds once (esbuild, ~3 s) into a
 * CommonJS file in the OS temp directory and loads that: one copy of tfjs-core, gradients included.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TF from '@tensorflow/tfjs-core';
import { build } from 'esbuild';

/** tfjs-core plus `setWasmPaths` from the wasm backend. */
export type Tfjs = typeof TF & { setWasmPaths(prefix: string): void };

let loaded: Promise<Tfjs> | undefined;

export function loadTfjs(): Promise<Tfjs> {
  loaded ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'proj-bench-tfjs-')), 'tfjs.cjs');
    const require = createRequire(import.meta.url);
    await build({
      stdin: {
        contents: [
          "export * from '@tensorflow/tfjs-core';",
          "import '@tensorflow/tfjs-core/dist/register_all_gradients';",
          "import '@tensorflow/tfjs-backend-cpu';",
          "export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';",
        ].join('\n'),
        resolveDir: dirname(fileURLToPath(import.meta.url)),
        loader: 'js',
      },
      bundle: true,
      format: 'cjs',
      platform: 'node',
      mainFields: ['module', 'main'],
      outfile,
      logLevel: 'error',
    });
    const tf = require(outfile) as Tfjs;
    const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    tf.setWasmPaths(`${join(wasmDist, 'dist')}/`);
    return tf;
  })();
  return loaded;
}
