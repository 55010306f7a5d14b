/**
 * What a page pays for `@proj/tensor`: a Vite production build (its defaults: minified, tree-shaken)
 * of each page in `bundle-pages/`, raw and gzip bytes of what it emits. `add` is the floor (a page
 * that only adds two tensors), `threads` adds `enableThreads`, `everything` keeps the whole main
 * entry. The package is resolved as a user's app resolves it: the built `dist` through its exports.
 *
 * Run alone (seconds, no timing): `npx pnpm@12.4.2 --filter @proj/bench exec tsx src/main.ts bundle`
 * after building `@proj/tensor`, or `npx pnpm@12.4.2 bench -- bundle`, which builds it first.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';
import { printTable } from './report.js';

const pages = join(dirname(fileURLToPath(import.meta.url)), 'bundle-pages');
const PAGES = ['add', 'threads', 'everything'] as const;

/** One emitted file: how the page gets it, and its size raw and gzipped (zlib's default level, as Vite reports). */
export interface BundleFile {
  name: string;
  /** `initial`: the entry chunk and its static imports; `lazy`: dynamic imports; `asset`: anything else. */
  load: 'initial' | 'lazy' | 'asset';
  raw: number;
  gzip: number;
}

/** Builds one page with Vite into a temporary folder and returns its emitted files (the HTML excluded). */
export async function bundlePage(page: string): Promise<BundleFile[]> {
  const outDir = mkdtempSync(join(tmpdir(), `proj-bundle-${page}-`));
  try {
    const result = await build({
      root: join(pages, page),
      configFile: false,
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
    const items = outputs.flatMap((o) => o.output);
    const initial = new Set<string>();
    const visit = (name: string) => {
      if (initial.has(name)) return;
      initial.add(name);
      const chunk = items.find((i) => i.type === 'chunk' && i.fileName === name);
      if (chunk?.type === 'chunk') for (const dep of chunk.imports) visit(dep);
    };
    for (const item of items) if (item.type === 'chunk' && item.isEntry) visit(item.fileName);
    return items
      .filter((item) => !item.fileName.endsWith('.html'))
      .map((item) => {
        const bytes = readFileSync(join(outDir, item.fileName));
        const load = item.type === 'asset' ? 'asset' : initial.has(item.fileName) ? 'initial' : 'lazy';
        return { name: item.fileName, load, raw: bytes.length, gzip: gzipSync(bytes).length };
      });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => (bytes / 1000).toFixed(1);

/** Prints, per page, the total and each emitted file in kB (1000 bytes, as Vite prints them). */
export async function run(): Promise<void> {
  const entry = join(pages, '..', '..', 'node_modules', '@proj', 'tensor', 'dist', 'index.js');
  if (!existsSync(entry)) throw new Error(`bundle: ${entry} is missing; build @proj/tensor first`);
  const rows: (string | number)[][] = [];
  for (const page of PAGES) {
    const files = await bundlePage(page);
    const sum = (key: 'raw' | 'gzip', load?: BundleFile['load']) =>
      files.filter((f) => !load || f.load === load).reduce((s, f) => s + f[key], 0);
    rows.push([page, 'initial JS', kb(sum('raw', 'initial')), kb(sum('gzip', 'initial'))]);
    for (const f of files) rows.push(['', `  ${f.load} ${f.name}`, kb(f.raw), kb(f.gzip)]);
  }
  printTable(
    'Vite production bundle of a page using @proj/tensor (kB)',
    ['page', 'files', 'raw', 'gzip'],
    rows,
  );
}
