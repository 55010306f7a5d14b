/**
 * `pnpm --filter proj-playground bench:browser`: tokens/s of the same training run in the page's
 * worker (headless Chromium, the built site) and in Node, on this machine: the playground's session
 * code in both, the same corpus, model, batch and thread count, alternating page and Node runs.
 * Prints the medians and their ratio (information only; nothing is asserted).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setNumThreads } from '@proj/tensor';
import { enableThreads } from '@proj/tensor/node';
import { PlaygroundSession } from '../src/engine/session.js';
import { settingsOf } from '../src/engine/settings.js';
import { APP, launchChromium, serveBuiltSite } from './harness.js';

const ITERS = Number(process.env.BENCH_ITERS ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const THREADS = (process.env.BENCH_THREADS ?? '1,2').split(',').map(Number);
const controls = {
  tokenizer: { kind: 'char' as const },
  size: 'small' as const,
  maxIters: ITERS,
  lr: 1e-3,
  batchSize: 12,
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const text = await readFile(join(APP, 'dist/corpora/sotu.txt'), 'utf8');
const session = new PlaygroundSession();
session.setCorpus({ name: 'sotu', text });
async function nodeRun(threads: number): Promise<number> {
  if (threads > 1) await enableThreads(threads);
  setNumThreads(threads);
  const events = session.train(settingsOf(controls), true, { aborted: false });
  for (;;) {
    const next = await events.next();
    if (next.done) return next.value.tokensPerSec;
  }
}

const server = await serveBuiltSite();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForSelector('#corpus-status[data-chars]', { timeout: 120_000 });
  await page.fill('#iters', String(ITERS));
  async function pageRun(threads: number): Promise<number> {
    await page.fill('#threads', String(threads));
    await page.dispatchEvent('#threads', 'change');
    await page.waitForSelector(`#backend[data-threads="${threads}"]`);
    await page.evaluate(() => delete document.getElementById('progress')!.dataset.done);
    await page.click('#start');
    await page.waitForSelector(`#progress[data-done="${ITERS}"]`, { timeout: 600_000 });
    return page.$eval('#progress', (e) => Number((e as HTMLElement).dataset.meanTokensPerSec));
  }
  console.log(
    `${browser.version()} vs Node ${process.version}: GPT small (4 layers, 128 wide, context 64), batch 12, sotu char, ${ITERS} steps`,
  );
  for (const threads of THREADS) {
    const inPage: number[] = [];
    const inNode: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      inNode.push(await nodeRun(threads));
      inPage.push(await pageRun(threads));
    }
    const ratio = median(inPage) / median(inNode);
    console.log(
      `${threads} thread${threads === 1 ? ' ' : 's'}: page ${median(inPage).toFixed(0)} tokens/s, Node ${median(inNode).toFixed(0)} tokens/s, ` +
        `page/Node ${ratio.toFixed(2)} (runs: page ${inPage.map((x) => x.toFixed(0)).join(', ')}; Node ${inNode.map((x) => x.toFixed(0)).join(', ')})`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
