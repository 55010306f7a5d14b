/**
 * `pnpm bench`: runs every suite (or those named on the command line, e.g. `npx pnpm@12.4.2 bench -- matmul`)
 * and prints each table. Suites live one per file beside this one. `memory` (10,000 training steps,
 * about half an hour) runs only when named; options after the suite names go to the suites.
 */
const suites: Record<string, () => Promise<unknown>> = {
  matmul: () => import('./matmul.js').then((m) => m.run()),
  training: () => import('./training.js').then((m) => m.run()),
  tokenizers: () => import('./tokenizers.js').then((m) => m.run()),
  lora: () => import('./lora.js').then((m) => m.run()),
  vision: () => import('./vision.js').then((m) => m.run()),
  inference: () => import('./inference.js').then((m) => m.run()),
  webgpu: () => import('./webgpu.js').then((m) => m.run()),
  memory: () => import('./memory.js').then((m) => m.run()),
  bundle: () => import('./bundle.js').then((m) => m.run()),
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(suites)) {
  if (wanted.length > 0 ? !wanted.includes(name) : name === 'memory') continue;
  await run();
}

export {}; // a module, so the top-level await above type-checks
