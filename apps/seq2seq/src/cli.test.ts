import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.js';
import type { RunResults } from './run-task.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'seq2seq-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = await main(
    argv,
    { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } },
    Readable.from([stdin]),
  );
  return { code, stdout, stderr };
}

const results = (task: string) =>
  JSON.parse(readFileSync(join(dir, task, 'results.json'), 'utf8')) as RunResults;

describe('--quick end-to-end runs', () => {
  it('g2p trains, scores and saves the four models', { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await run(['g2p', '--quick', '--out', join(dir, 'g2p')]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('wrote');
    const r = results('g2p');
    expect(r.models.map((m) => m.kind)).toEqual(['rnn', 'gru', 'lstm', 'transformer']);
    const sizes = r.models.map((m) => m.parameters);
    // matched parameter counts: within 10% of the Transformer's
    for (const n of sizes) expect(Math.abs(n - sizes[3]!) / sizes[3]!).toBeLessThan(0.1);
    for (const m of r.models) {
      expect(m.train.curve.length).toBeGreaterThan(1);
      expect(m.train.tokensPerSecond).toBeGreaterThan(0);
      for (const method of ['greedy', 'beam'] as const) {
        const { metrics, wordsPerSecond, byLength } = m.tests.test![method]!;
        expect(Object.keys(metrics)).toEqual(['WER', 'PER', 'WER no stress', 'PER no stress']);
        expect(metrics.WER).toBeGreaterThanOrEqual(0);
        expect(metrics.WER).toBeLessThanOrEqual(1);
        expect(wordsPerSecond).toBeGreaterThan(0);
        expect(byLength!.reduce((n, [, , count]) => n + count, 0)).toBe(r.data.tests.test);
      }
      expect(existsSync(join(dir, 'g2p', m.kind, 'model.safetensors'))).toBe(true);
    }
    const md = readFileSync(join(dir, 'g2p', 'results.md'), 'utf8');
    expect(md).toContain('| Transformer | beam 3 |');
    for (const svg of ['curves-steps.svg', 'curves-time.svg', 'accuracy-by-length-test.svg'])
      expect(readFileSync(join(dir, 'g2p', svg), 'utf8')).toMatch(/^<svg [\s\S]*<\/svg>\n$/);
  });

  it('numbers scores exact match on held-out and longer numbers', { timeout: 120_000 }, async () => {
    const { code, stderr } = await run([
      'numbers',
      '--quick',
      '--models',
      'gru,transformer',
      '--out',
      join(dir, 'numbers'),
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const r = results('numbers');
    expect(Object.keys(r.data.tests)).toEqual(['test', 'long']);
    expect(r.models.map((m) => m.kind)).toEqual(['gru', 'transformer']);
    expect(Object.keys(r.models[0]!.tests.long!.beam!.metrics)).toEqual(['exact match', 'word error rate']);
  });

  it('summaries trains the Transformer and the GPT and scores them and the lead baseline with ROUGE', {
    timeout: 120_000,
  }, async () => {
    const { code, stdout, stderr } = await run(['summaries', '--quick', '--out', join(dir, 'summaries')]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const r = results('summaries');
    expect(r.models.map((m) => m.kind)).toEqual(['transformer', 'gpt']);
    const [transformer, gpt] = r.models as [RunResults['models'][number], RunResults['models'][number]];
    // matched parameter counts: within 10% of the Transformer's
    expect(Math.abs(gpt.parameters - transformer.parameters) / transformer.parameters).toBeLessThan(0.1);
    expect(stdout).toMatch(/decoder-only GPT, prompt-masked SFT: [\d,]+ parameters \(2 layers, width \d+\)/);
    expect(gpt.train.curve.map((p) => p.step)).toEqual([0, 10, 20, 30]);
    expect(gpt.train.curve.every((p) => Number.isFinite(p.validLoss))).toBe(true);
    expect(gpt.train.tokensPerSecond).toBeGreaterThan(0);
    expect(gpt.tests.test!.beam).toBeUndefined();
    const { metrics, wordsPerSecond } = gpt.tests.test!.greedy;
    expect(Object.keys(metrics)).toEqual(['ROUGE-1', 'ROUGE-2', 'ROUGE-L']);
    for (const v of Object.values(metrics)) expect(v).toBeGreaterThanOrEqual(0);
    expect(wordsPerSecond).toBeGreaterThan(0);
    expect(gpt.samples).toHaveLength(8);
    expect(existsSync(join(dir, 'summaries', 'gpt', 'model.safetensors'))).toBe(true);
    expect(r.baselines.map((b) => b.name)).toEqual(['lead (first line of the body)']);
    const lead = r.baselines[0]!.tests.test!;
    expect(Object.keys(lead)).toEqual(['ROUGE-1', 'ROUGE-2', 'ROUGE-L']);
    expect(lead['ROUGE-1']).toBeGreaterThan(0);
    const md = readFileSync(join(dir, 'summaries', 'results.md'), 'utf8');
    expect(md).toContain('| lead (first line of the body) | — |');
    expect(md).toMatch(/^\| decoder-only GPT, prompt-masked SFT \| greedy \|/m);
    expect(md).not.toContain('| decoder-only GPT, prompt-masked SFT | beam');
  });

  it('refuses the GPT for a task whose sources and targets have different vocabularies', async () => {
    const { code, stderr } = await run(['numbers', '--quick', '--models', 'gpt', '--out', join(dir, 'no')]);
    expect(code).toBe(2);
    expect(stderr).toContain('--models gpt needs a task whose sources and targets share one vocabulary');
  });
});

describe('translate', () => {
  it('prints the beam hypotheses with scores and draws the attention heatmap', async () => {
    const svg = join(dir, 'hello.svg');
    const { code, stdout } = await run([
      'translate',
      '--run',
      join(dir, 'g2p'),
      '--model',
      'gru',
      '--input',
      'Hello',
      '--beam',
      '3',
      '--svg',
      svg,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('input: hello');
    expect(stdout).toMatch(/^1\. ".*" {2}score -?\d+\.\d{4} {2}log-prob -?\d+\.\d{4}$/m);
    const heat = readFileSync(svg, 'utf8');
    expect(heat.match(/<rect x=/g)!.length % 5).toBe(0); // 5 letters per output row
    expect(heat).toContain('>h</text>');
  });

  it('says when a model has no attention', async () => {
    const { code, stdout } = await run([
      'translate',
      '--run',
      join(dir, 'g2p'),
      '--model',
      'rnn',
      '--input',
      'cat',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('(RNN, no attention has no attention: no heatmap)');
  });

  it('spells digits for the numbers models, and summarises a file, cutting it to the model limit', async () => {
    const numbers = await run(['translate', '--run', join(dir, 'numbers'), '--input', '42']);
    expect(numbers.code).toBe(0);
    expect(numbers.stdout).toContain('input: forty-two');
    const file = join(dir, 'email.txt');
    writeFileSync(
      file,
      'Hello all,\n\n'.concat('please review the attached spreadsheet before friday. '.repeat(40)),
    );
    const summary = await run(['translate', '--run', join(dir, 'summaries'), '--file', file]);
    expect(summary.code).toBe(0);
    expect(summary.stderr).toMatch(/^note: the input has \d+ tokens; the model reads the first 48\n$/);
  });

  it('rejects bad input with a message that names it', async () => {
    const g2p = ['translate', '--run', join(dir, 'g2p'), '--model', 'gru'];
    expect(await run([...g2p, '--input', 'héllo!'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^proj-seq2seq translate: "é", "!" are not in the model's characters \(known: .*\)\n$/,
      ),
    });
    expect(await run([...g2p, '--input', '   '])).toMatchObject({
      code: 1,
      stderr: 'proj-seq2seq translate: the input is empty\n',
    });
    expect(await run([...g2p, '--input', 'a'.repeat(40)])).toMatchObject({
      code: 1,
      stderr: 'proj-seq2seq translate: the input has 40 tokens; this model takes at most 32\n',
    });
    const numbers = await run(['translate', '--run', join(dir, 'numbers'), '--input', '2000000']);
    expect(numbers).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('"million" is not in the model\'s words'),
    });
    expect(await run(['translate', '--run', join(dir, 'nowhere')])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('holds no saved model'),
    });
  });

  it('reads lines from stdin, reporting bad lines and going on', async () => {
    const { code, stdout, stderr } = await run(
      ['translate', '--run', join(dir, 'g2p'), '--model', 'lstm'],
      'cat\nd0g\ndog\n',
    );
    expect(code).toBe(0);
    expect(stdout.match(/^1\. /gm)).toHaveLength(2);
    expect(stderr).toContain('"0" is not in the model\'s characters');
  });
});

describe('usage errors', () => {
  it('exit with 2 and the usage', async () => {
    expect(await run(['g2p', '--stepz', '3'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown option '--stepz'"),
    });
    expect(await run(['g2p', '--steps', 'many'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--steps needs an integer, got 'many'"),
    });
    expect(await run(['g2p', '--models', 'rnn,cnn'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("'cnn' is not one of rnn, gru, lstm, transformer"),
    });
    expect(await run(['g2p', '--d-model', '30', '--heads', '4'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--d-model 30 must be divisible by --heads 4'),
    });
    expect(await run(['translate'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--run <folder> is required'),
    });
    expect(await run(['fly'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown command 'fly'"),
    });
    expect((await run(['g2p', '--help'])).stdout).toContain('Usage: proj-seq2seq g2p [options]');
  });
});
