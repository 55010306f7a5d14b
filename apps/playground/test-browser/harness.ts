import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';
import { preview } from 'vite';

/** The app's folder and the repository root. */
export const APP = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = join(APP, '..', '..');

/** Chromium as the tests run it: Debian's build, headless, with no network services of its own. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Serves the built site (`dist`) with `vite preview`, which sends the COOP/COEP headers of `vite.config.ts`. */
export async function serveBuiltSite(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await preview({ root: APP, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0 } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report its address');
  return { url, close: () => server.close() };
}

/** Runs `proj` (the built CLI) and returns its standard output. */
export async function proj(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('node', [join(ROOT, 'apps/cli/dist/main.js'), ...args], {
    cwd: ROOT,
    maxBuffer: 1 << 26,
  });
  return stdout;
}
