/**
 * `pnpm --filter @proj/browser-test test:browser`: bundles the built `@proj/tensor` (its `dist`, as
 * a user's bundler would) with the checks of `page.ts`, serves the page with and without
 * cross-origin isolation, and runs it in headless Chromium (`CHROMIUM_PATH`, default
 * `/usr/bin/chromium`) through playwright-core. Exits non-zero when a check fails.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { CheckResult } from './page.js';
import { serve } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** float32 against a float64 reference over k = 512 products of unit normals (|c| ~ 23): rounding gives ~1e-4. */
const TOLERANCE = 2e-3;

async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [join(here, 'page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const inputs = Object.keys(out.metafile.inputs);
  if (!inputs.some((p) => p.includes('packages/tensor/dist/')))
    throw new Error(
      `the bundle did not use @proj/tensor's dist (inputs: ${inputs.join(', ')}); build it first`,
    );
  return out.outputFiles[0]!.text;
}

/** The failed expectations of one result, as messages. */
function problems(r: CheckResult, isolated: boolean): string[] {
  const out: string[] = [];
  const expect = (ok: boolean, message: string) => ok || out.push(`${r.where}: ${message}`);
  expect(r.error === undefined, `threw ${r.error}`);
  expect(r.crossOriginIsolated === isolated, `crossOriginIsolated is ${r.crossOriginIsolated}`);
  expect(r.defaultBackend === 'wasm', `default backend is ${r.defaultBackend}, not wasm`);
  expect(r.relaxedSimd, 'the kernels run without relaxed SIMD, which Chromium 114+ supports');
  expect(r.err1 <= TOLERANCE, `1-thread matmul differs from the reference by ${r.err1}`);
  expect(r.err2 <= TOLERANCE, `matmul after enableThreads(2) differs from the reference by ${r.err2}`);
  const threads = isolated ? 2 : 1;
  expect(r.threads === threads, `enableThreads(2) resolved ${r.threads}, expected ${threads}`);
  expect(r.lastThreads === threads, `the product ran on ${r.lastThreads} threads, expected ${threads}`);
  expect(
    r.attentionThreads === threads,
    `the fused attention ran on ${r.attentionThreads} threads, expected ${threads}`,
  );
  expect(r.attentionSame, 'the fused attention on 2 threads differs from 1 thread');
  if (isolated) expect(r.threadsUnavailable === null, `threadsUnavailable: ${r.threadsUnavailable}`);
  else
    expect(
      r.threadsUnavailable?.includes('Cross-Origin-Embedder-Policy') === true,
      `no clear reason why threads are unavailable: ${r.threadsUnavailable}`,
    );
  if (r.where === 'main thread') {
    expect(r.webgpuAdapter !== null, 'createWebGPUBackend() found no adapter through navigator.gpu');
    expect(r.webgpuErr <= 1e-4, `matmul and softmax on WebGPU differ from the CPU by ${r.webgpuErr}`);
  }
  return out;
}

async function main(): Promise<number> {
  if (!existsSync(executablePath)) {
    console.error(
      `No Chromium at ${executablePath}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
    return 2;
  }
  const server = await serve(await bundle());
  // WebGPU through Chromium's built-in SwiftShader adapter on a machine without a GPU
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--enable-unsafe-webgpu', '--enable-features=Vulkan'],
  });
  const failures: string[] = [];
  try {
    console.log(`${browser.version()}, serving ${server.url}`);
    for (const mode of ['isolated', 'plain'] as const) {
      const page = await browser.newPage();
      page.on('pageerror', (error) => failures.push(`${mode}: page error ${error.message}`));
      await page.goto(`${server.url}/${mode}/`);
      await page.waitForFunction(() => typeof window.browserChecks === 'function');
      const results = await Promise.race([
        page.evaluate(() => window.browserChecks!()),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${mode}: timed out`)), 120_000)),
      ]);
      console.log(`\n${mode === 'isolated' ? 'with' : 'without'} COOP/COEP (${mode}):`);
      for (const r of results) {
        console.log(
          `  ${r.where.padEnd(11)} isolated=${r.crossOriginIsolated} backend=${r.defaultBackend} ` +
            `relaxedSimd=${r.relaxedSimd} ` +
            `err(1 thread)=${r.err1.toExponential(2)} enableThreads(2)=${r.threads} ` +
            `ran on ${r.lastThreads} thread(s) err=${r.err2.toExponential(2)} ` +
            `(${r.ms1.toFixed(1)} ms on 1 thread, ${r.ms2.toFixed(1)} ms on ${r.threads}, interleaved); ` +
            `attention on ${r.attentionThreads} thread(s), ${r.attentionSame ? 'same' : 'NOT the same'} as 1 thread` +
            (r.webgpuAdapter
              ? `\n              webgpu: ${r.webgpuAdapter}, max |GPU − CPU| ${r.webgpuErr.toExponential(2)}`
              : '') +
            (r.threadsUnavailable ? `\n              threadsUnavailable: ${r.threadsUnavailable}` : '') +
            (r.error ? `\n              error: ${r.error}` : ''),
        );
        failures.push(...problems(r, mode === 'isolated').map((p) => `${mode}: ${p}`));
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  if (failures.length > 0) {
    console.error(`\nFAILED:\n${failures.map((f) => `  ${f}`).join('\n')}`);
    return 1;
  }
  console.log('\nall browser checks passed');
  return 0;
}

process.exitCode = await main();
