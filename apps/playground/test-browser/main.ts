/**
 * `pnpm --filter proj-playground test:browser`: the playground's built site in headless Chromium
 * (Debian's, through playwright-core), served with COOP/COEP by `vite preview`. It trains 100 steps
 * in the worker, samples, reads the tokenizer view, draws attention, saves a checkpoint that
 * `proj sample` reads, and opens one that `proj train` wrote, checking the page's samples against the
 * CLI's. Writes `test-results/playground.png`. Exits non-zero when a check fails.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserializeTokenizer } from '@proj/tokenizers';
import type { Page } from 'playwright-core';
import { APP, launchChromium, proj, serveBuiltSite } from './harness.js';

const failures: string[] = [];
function expect(ok: boolean, message: string): void {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) failures.push(message);
}

const PROMPT = 'Fellow-Citizens of the Senate and House of Representatives:';
const SAMPLE = { seed: '7', temperature: '0.8', topK: '200', tokens: '200' };

/** Waits for `selector`; fails at once with the page's error message when one shows instead. */
async function waitFor(page: Page, selector: string, timeout = 60_000): Promise<void> {
  const shown = await page.waitForSelector(`${selector}, #error:not(:empty)`, { timeout });
  const error = await shown!.evaluate((e) => (e.id === 'error' ? e.textContent : null));
  if (error) throw new Error(`waiting for ${selector}, the page shows: ${error}`);
}

/** Samples in the page with {@link SAMPLE}'s settings; returns the text and how many updates streamed in. */
async function sampleInPage(page: Page, prompt: string): Promise<{ text: string; updates: number }> {
  await page.fill('#prompt', prompt);
  await page.fill('#max-new', SAMPLE.tokens);
  await page.fill('#temperature', SAMPLE.temperature);
  await page.fill('#top-k', SAMPLE.topK);
  await page.fill('#top-p', '1');
  await page.fill('#seed', SAMPLE.seed);
  await page.evaluate(() => delete document.getElementById('sample-out')!.dataset.text);
  await page.click('#sample');
  await waitFor(page, '#sample-out[data-text]', 120_000);
  return page.$eval('#sample-out', (e) => ({
    text: (e as HTMLElement).dataset.text!,
    updates: Number((e as HTMLElement).dataset.tokens),
  }));
}

/** `proj sample` with {@link SAMPLE}'s settings (it prints the text and a newline). */
async function sampleWithCli(from: string, prompt: string): Promise<string> {
  const out = await proj([
    'sample',
    '--from',
    from,
    '--prompt',
    prompt,
    '--max-new-tokens',
    SAMPLE.tokens,
    '--temperature',
    SAMPLE.temperature,
    '--top-k',
    SAMPLE.topK,
    '--seed',
    SAMPLE.seed,
  ]);
  return out.slice(0, -1);
}

async function main(): Promise<number> {
  const work = await mkdtemp(join(tmpdir(), 'playground-browser-'));
  const results = join(APP, 'test-results');
  await mkdir(results, { recursive: true });
  console.log('proj train: a small run on sotu for the page to open…');
  const cliRun = join(work, 'cli-run');
  await proj(
    ['train', '--data', 'sotu', '--n-layer', '2', '--n-head', '2', '--n-embd', '64', '--block-size', '32']
      .concat(['--max-iters', '30', '--eval-interval', '10', '--eval-iters', '2', '--batch-size', '8'])
      .concat(['--sample-tokens', '0', '--threads', '1', '--out', cliRun]),
  );
  const server = await serveBuiltSite();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
    await page.goto(server.url);
    console.log(`${browser.version()}, ${server.url}`);

    console.log('the page and its worker:');
    await waitFor(page, '#backend[data-threads]');
    expect(await page.evaluate(() => crossOriginIsolated), 'the page is cross-origin isolated (COOP/COEP)');
    const threads = await page.$eval('#backend', (e) => Number((e as HTMLElement).dataset.threads));
    expect(threads === 2, `the worker trains on 2 WASM threads (got ${threads})`);
    await waitFor(page, '#corpus-status[data-chars]', 60_000);
    const chars = await page.$eval('#corpus-status', (e) => Number((e as HTMLElement).dataset.chars));
    const cliState = JSON.parse(
      await readFile(join(cliRun, await latestFolder(cliRun), 'state.json'), 'utf8'),
    );
    const cliChars = cliState.config.data.tokens as number; // char tokens: one per character
    expect(
      chars === cliChars,
      `the SOTU corpus has the ${cliChars} characters proj train read (got ${chars})`,
    );

    console.log('train 100 steps in the worker:');
    await page.fill('#iters', '100');
    await page.click('#start');
    await waitFor(page, 'body[data-state="training"]');
    const clickable = await page.evaluate(async () => {
      const t0 = performance.now();
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t0;
    });
    expect(
      clickable < 1000,
      `the page keeps drawing frames while the worker trains (a frame in ${clickable.toFixed(0)} ms)`,
    );
    await waitFor(page, '#progress[data-done="100"]', 400_000);
    const chart = await page.$eval('#chart', (e) => ({ ...(e as HTMLElement).dataset }));
    expect(chart.steps === '100', `the chart holds 100 step losses (got ${chart.steps})`);
    expect(Number(chart.evals) >= 3, `the chart holds the evaluations (got ${chart.evals})`);
    expect(
      Number(chart.lastVal) < Number(chart.firstVal) - 1,
      `the val loss drops by more than 1 (${chart.firstVal} → ${chart.lastVal})`,
    );
    const drawn = await page.$eval('#chart canvas', (c) => {
      const { data } = (c as HTMLCanvasElement)
        .getContext('2d')!
        .getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height);
      let red = 0;
      for (let i = 0; i < data.length; i += 4)
        if (data[i]! > 180 && data[i + 1]! < 80 && data[i + 2]! < 80) red++;
      return red;
    });
    expect(drawn > 50, `the chart draws the val curve (${drawn} red pixels)`);
    const meanRate = await page.$eval('#progress', (e) =>
      Number((e as HTMLElement).dataset.meanTokensPerSec),
    );
    console.log(`  (mean ${meanRate.toFixed(0)} tokens/s in the page on ${threads} threads)`);

    console.log('sample:');
    const trained = await sampleInPage(page, PROMPT);
    expect(
      trained.text.startsWith(PROMPT) && trained.text.length > PROMPT.length + 100,
      'the sample continues the prompt',
    );
    expect(trained.updates === 200, `the sample streamed token by token (${trained.updates} updates)`);

    console.log('tokenizer view:');
    await page.fill('#token-text', 'Hello world, the state of the Union');
    await page.dispatchEvent('#token-text', 'input');
    await waitFor(page, '.token-row[data-encoding="GPT-2"][data-count]', 60_000);
    const idsOf = (encoding: string) =>
      page.$$eval(`.token-row[data-encoding^="${encoding}"] span`, (spans) =>
        spans.flatMap((s) => (s as HTMLElement).dataset.ids!.split(' ').map(Number)),
      );
    // tiktoken.get_encoding('gpt2').encode('Hello world, the state of the Union')
    const gpt2 = await idsOf('GPT-2');
    expect(
      JSON.stringify(gpt2) === JSON.stringify([15496, 995, 11, 262, 1181, 286, 262, 4479]),
      `GPT-2's ids are tiktoken's (${gpt2.join(' ')})`,
    );
    const expectedChar = deserializeTokenizer(cliState.tokenizer).encode(
      'Hello world, the state of the Union',
    );
    const char = await idsOf('char');
    expect(
      JSON.stringify(char) === JSON.stringify(expectedChar),
      `the char ids are proj train's (${char.join(' ')})`,
    );
    const hover = await page.$eval('.token-row[data-encoding="GPT-2"] span', (s) => (s as HTMLElement).title);
    expect(hover === 'id 15496', `hovering a piece shows its id ("${hover}")`);

    console.log('attention view:');
    await page.click('#attention-show');
    await waitFor(page, '#attention-grid canvas');
    const cells = await page.$$eval('#attention-grid canvas', (cs) =>
      cs.map((c) => {
        const ctx = (c as HTMLCanvasElement).getContext('2d')!;
        const corner = ctx.getImageData((c as HTMLCanvasElement).width - 2, 1, 1, 1).data;
        const origin = ctx.getImageData(1, 1, 1, 1).data;
        return { upperRight: [...corner.slice(0, 3)], firstQuery: [...origin.slice(0, 3)] };
      }),
    );
    expect(cells.length === 16, `one heatmap per layer and head (${cells.length} for 4 × 4)`);
    expect(
      cells.every((c) => c.upperRight.every((v) => v === 255) && c.firstQuery[0]! < 10),
      'every heatmap is causal: the first query puts all its weight on the first key, none on later keys',
    );
    await page.screenshot({ path: join(results, 'playground.png'), fullPage: true });
    console.log(`  wrote ${join(results, 'playground.png')}`);

    console.log('save a checkpoint for proj sample:');
    const saved = join(work, 'page-checkpoint');
    await mkdir(saved);
    const downloads: Promise<void>[] = [];
    page.on('download', (d) => downloads.push(d.saveAs(join(saved, d.suggestedFilename()))));
    await page.click('#save');
    await waitFor(page, '#model-status[data-saved]');
    while (downloads.length < 3) await page.waitForTimeout(100);
    await Promise.all(downloads);
    const fromCli = await sampleWithCli(saved, PROMPT);
    expect(
      fromCli === trained.text,
      'proj sample --from <the saved files> gives the page’s sample, token for token',
    );

    console.log('open a checkpoint made by proj train:');
    await page.setInputFiles('#open-folder', cliRun);
    await waitFor(page, '#model-status[data-iter="30"]', 60_000);
    const loadedSteps = await page.$eval('#chart', (e) => (e as HTMLElement).dataset.steps);
    expect(loadedSteps === '30', `the chart shows the run's 30 steps (got ${loadedSteps})`);
    const page2 = await sampleInPage(page, PROMPT);
    const cli2 = await sampleWithCli(cliRun, PROMPT);
    expect(page2.text === cli2, 'the page samples what proj sample samples from the same run');
    await page.fill('#iters', '40');
    await page.click('#continue');
    await waitFor(page, '#progress[data-done="40"]', 120_000);
    const continued = await page.$eval('#chart', (e) => (e as HTMLElement).dataset.steps);
    expect(continued === '40', `training goes on from step 30 to 40 (${continued} steps on the chart)`);
  } finally {
    await browser.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`\nFAILED:\n${failures.map((f) => `  ${f}`).join('\n')}`);
    return 1;
  }
  console.log('\nall playground browser checks passed');
  return 0;
}

/** The `ckpt-*` folder a run's `checkpoint.json` names. */
async function latestFolder(run: string): Promise<string> {
  return JSON.parse(await readFile(join(run, 'checkpoint.json'), 'utf8')).current;
}

process.exitCode = await main();
