import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainResults } from './domain.js';
import { completionOf, type G2PResults, promptOf } from './g2p.js';

const run = promisify(execFile);
const main = join(import.meta.dirname, '..', 'dist', 'main.js');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'proj-finetuning-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('proj-finetuning --quick', () => {
  it('domain: adapts a pretrained model every way and writes the table and the curves', async () => {
    const out = join(dir, 'domain');
    const { stdout } = await run('node', [main, 'domain', '--quick', '--threads', '1', '--out', out]);
    expect(stdout).toMatch(/\| LoRA r=4 \| 2,048 \| 0\.003 \| \d\.\d{4} \|/);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as DomainResults;
    expect(results.variants.map((v) => v.name)).toEqual([
      'from scratch',
      'full finetuning',
      'LoRA r=1',
      'LoRA r=4',
    ]);
    const [scratch, full, r1] = results.variants;
    expect(full!.trainable).toBe(scratch!.trainable);
    expect(r1!.optimizerBytes).toBe(2 * 4 * r1!.trainable); // two float32 moments per trainable weight
    for (const v of results.variants) expect(v.curve.length).toBeGreaterThan(1);
    expect(await readFile(join(out, 'curves.svg'), 'utf8')).toMatch(/^<svg[\s\S]*LoRA r=1[\s\S]*<\/svg>\n?$/);
  }, 120_000);

  it('g2p: finetunes three ways and scores the test words', async () => {
    const out = join(dir, 'g2p');
    await run('node', [main, 'g2p', '--quick', '--threads', '1', '--out', out]);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as G2PResults;
    expect(results.words).toEqual({ train: 300, valid: 24, test: 24 });
    expect(results.variants.map((v) => [v.completionOnlyLoss, v.lora])).toEqual([
      [true, false],
      [false, false],
      [true, true],
    ]);
    for (const v of results.variants) {
      expect(v.stressed.words).toBe(24);
      expect(v.stressed.wer).toBeGreaterThanOrEqual(0);
      expect(v.stressed.wer).toBeLessThanOrEqual(1);
      expect(v.unstressed.wer).toBeLessThanOrEqual(v.stressed.wer); // a word right with stress is right without
      expect(Number.isFinite(v.stressed.per)).toBe(true);
    }
    expect(results.variants[2]!.trainable).toBeLessThan(results.variants[0]!.trainable);
  }, 120_000);
});

describe('the G2P prompt format', () => {
  it("is the issue's: word: hello\\nphonemes: → ' HH AH0 L OW1\\n'", () => {
    expect(promptOf('hello') + completionOf('HH AH0 L OW1')).toBe('word: hello\nphonemes: HH AH0 L OW1\n');
  });
});
