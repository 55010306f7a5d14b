import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Io, main } from './cli.js';

function capture(): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    out: () => out,
    err: () => err,
  };
}

async function run(argv: string[]) {
  const io = capture();
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

// Seconds each on a quiet machine; the timeout is a hang guard for a loaded one (no timing is asserted).
describe('proj-vision --quick, end to end', { timeout: 240_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'proj-vision-'));

  it('classify trains LeNet-5 and the ViT, and writes weights, attention.png and results.json', async () => {
    const { code, out: log } = await run(['classify', '--quick', '--out', out]);
    expect(code).toBe(0);
    expect(log).toContain('LeNet-5 CNN: 61706 parameters');
    expect(log).toContain('ViT: 63818 parameters');
    for (const file of ['cnn.safetensors', 'vit.safetensors', 'attention.png'])
      expect(existsSync(join(out, 'classify', file))).toBe(true);
    const results = json(join(out, 'classify', 'results.json'));
    for (const model of ['cnn', 'vit']) {
      expect(results[model].testAccuracy).toBeGreaterThanOrEqual(0);
      expect(results[model].trainImagesPerSecond).toBeGreaterThan(0);
    }
  });

  it('draw trains the pixel GPT and grades its drawings with the classify CNN', async () => {
    const { code, out: log } = await run(['draw', '--quick', '--out', out]);
    expect(code).toBe(0);
    expect(log).toContain('the judge recognises the prompted digit in');
    const results = json(join(out, 'draw', 'results.json'));
    expect(results.judgeAccuracyPerDigit).toHaveLength(10);
    expect(existsSync(join(out, 'draw', 'samples.png'))).toBe(true);
  });

  it('caption trains the captioner and reports exact match on held-out numbers', async () => {
    const { code, out: log } = await run(['caption', '--quick', '--out', out]);
    expect(code).toBe(0);
    expect(log).toContain('held-out 4-digit numbers: exact match');
    const results = json(join(out, 'caption', 'results.json'));
    expect(results.results.map((r: { set: string }) => r.set)).toHaveLength(4);
    expect(results.examples[0].target).toMatch(/^[a-z ]+$/);
    expect(existsSync(join(out, 'caption', 'examples.png'))).toBe(true);
  });
});

describe('proj-vision errors', () => {
  it('draw without a judge names the missing file (exit 1)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'proj-vision-'));
    const { code, err } = await run(['draw', '--quick', '--out', out]);
    expect(code).toBe(1);
    expect(err).toContain(`no classifier at ${join(out, 'classify', 'cnn.safetensors')}`);
  });

  it('bad usage prints the usage (exit 2)', async () => {
    expect((await run([])).code).toBe(2);
    const unknown = await run(['paint']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown command 'paint'");
    const bad = await run(['classify', '--epochs', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--epochs must be an integer >= 1, got 'many'");
    expect((await run(['classify', '--colour'])).err).toContain("Unknown option '--colour'");
  });
});
