import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '@proj/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run, SHORT, TINY, tinyTrain } from './testing/run-cli.js';

/** The folder of the current checkpoint in `out`. */
const checkpointFolder = async (out: string) => (await loadCheckpoint(out)).dir!;

let dir: string;
let data: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'proj-cli-'));
  data = join(dir, 'poem.txt');
  const line = 'the quick brown fox jumps over the lazy dog.\n';
  await writeFile(data, line.repeat(80));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('proj --help and usage errors', () => {
  it('prints the commands, and each command its options with nanoGPT defaults', async () => {
    expect((await run(['--help'])).out).toMatch(
      /Commands:\n {2}train .*\n {2}finetune .*\n {2}sample .*\n {2}merge .*\n {2}export/,
    );
    const train = await run(['train', '--help']);
    expect(train.code).toBe(0);
    expect(train.out).toContain('Usage: proj train [options]');
    for (const option of [
      '--n-layer <n>',
      '(default: 4)',
      '--max-iters <n>',
      '(default: 2000)',
      '--beta2 <x>',
      '(default: 0.99)',
      '--resume',
      '--generator torch|xoshiro',
      '--eval-batches random|fixed',
      'torch.manual_seed(n)',
    ])
      expect(train.out).toContain(option);
    const sample = await run(['sample', '-h']);
    expect(sample.out).toContain('--top-k <k>');
    expect(sample.out).toContain('(default: 0.8)');
  });

  it('exits 2 with a message and the usage for bad commands and options', async () => {
    const cases: [string[], RegExp][] = [
      [[], /Usage: proj <command>/],
      [['fly'], /unknown command 'fly'/],
      [['train', '--bogus'], /unknown option --bogus/],
      [['train', '--max_iters', '5'], /unknown option --max_iters \(did you mean --max-iters\?\)/],
      [['train', '--max-iters', 'many'], /--max-iters needs an integer, got 'many'/],
      [['train', '--max-iters', '2.5'], /--max-iters needs an integer/],
      [['train', '--lr'], /--lr needs a value/],
      [['train', '--lr', '-1'], /--lr must be >= 0, got '-1'/],
      [['train', '--bias=maybe'], /--bias is a flag/],
      [['train', 'extra'], /unexpected argument 'extra'/],
      [['train', '--n-embd', '130'], /--n-embd 130 must be divisible by --n-head 4/],
      [['train', '--tokenizer', 'bpe:x'], /--tokenizer must be char or bpe:<vocabSize>/],
      [['train', '--generator', 'mt'], /--generator must be torch or xoshiro, got 'mt'/],
      [['train', '--eval-batches', 'all'], /--eval-batches must be random or fixed, got 'all'/],
      [['train', '--warmup-iters', '3000'], /--lr-decay-iters 2000 must be greater than --warmup-iters 3000/],
      [['sample'], /--from <dir> is required/],
      [['sample', '--from', 'x', '--top-p', '2'], /--top-p must be in \(0, 1\]/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toMatch(/Usage: proj/);
    }
  });
});

describe('proj train and proj sample', () => {
  it('a tiny run writes the checkpoint, metrics.json, loss.svg and sample.txt, and prints the sample', async () => {
    const out = join(dir, 'run');
    const r = await run(['train', '--data', data, ...TINY, ...SHORT, '--out', out, '--sample-tokens', '40']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      'checkpoint.json',
      expect.stringMatching(/^ckpt-00000012-[0-9a-f]{8}$/),
      'loss.svg',
      'metrics.json',
      'sample.txt',
    ]);
    expect(r.out).toMatch(/step 0: train loss \d\.\d{4}, val loss \d\.\d{4}/);
    expect(r.out).toMatch(/step 12: train loss/);
    expect(r.out).toMatch(/iter 10: loss \d\.\d{4}, lr/);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ iters: 12, data: 'poem', tokenizer: 'char', aborted: false });
    expect(metrics.bestValLoss).toBeLessThanOrEqual(metrics.finalValLoss);
    expect(metrics.finalValLoss).toBeLessThan(Math.log(28)); // below chance over the 28 characters
    expect(metrics.parameters).toBeGreaterThan(0);
    const svg = await readFile(join(out, 'loss.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<circle /g)).toHaveLength(8); // evaluations at 0, 5, 10, 12 × (train, val)
    const sample = await readFile(join(out, 'sample.txt'), 'utf8');
    expect(sample.length).toBeGreaterThan(40);
    expect(r.out).toContain(sample.trimEnd());

    const sampleArgs = [
      'sample',
      '--from',
      out,
      '--prompt',
      'the ',
      '--max-new-tokens',
      '30',
      '--num-samples',
      '2',
    ];
    const s = await run(sampleArgs);
    expect(s.code).toBe(0);
    const samples = s.out.split('---------------\n');
    expect(samples).toHaveLength(2);
    for (const text of samples) expect(text.startsWith('the ')).toBe(true);
    const again = await run(sampleArgs);
    expect(again.out).toBe(s.out); // seeded
    const threaded = await run([...sampleArgs, '--threads', '2']);
    expect(threaded.out).toBe(s.out); // the batch decodes to the same samples on any thread count
  });

  it('--resume continues the checkpointed run to the same losses as one straight run', async () => {
    const straight = join(dir, 'straight');
    const parted = join(dir, 'parted');
    const common = ['--data', data, ...TINY, ...SHORT, '--sample-tokens', '0'];
    await run(['train', ...common, '--out', straight]);
    await run(['train', ...common, '--out', parted, '--max-iters', '7']);
    const r = await run(['train', ...common, '--out', parted, '--resume']);
    expect(r.out).toMatch(/resuming .*parted at iter 7/);
    const losses = async (d: string) => (await loadCheckpoint(d)).state.history.steps;
    expect(await losses(parted)).toEqual(await losses(straight));
  });

  it('draws a progress bar on a terminal', async () => {
    const r = await run(
      ['train', '--data', data, ...TINY, ...SHORT, '--out', join(dir, 'tty'), '--sample-tokens', '5'],
      true,
    );
    const bar = /100% \[#+\] 12\/12 loss \d\.\d{4} lr \d\.\d\de-\d+ [\d.k]+ tok\/s ETA 0s/;
    expect(r.out).toMatch(bar);
    expect(r.out).toContain('\r\u001b[2K100% ['); // redrawn in place
  });

  it('explains a missing data file, a missing checkpoint and a corrupt one, without a stack trace (exit 1)', async () => {
    const noData = await run(['train', '--data', join(dir, 'nope.txt')]);
    expect(noData.code).toBe(1);
    expect(noData.err).toMatch(/^proj train: cannot read --data .*nope.txt: ENOENT/);
    const missing = await run(['sample', '--from', join(dir, 'nowhere')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^proj sample: no checkpoint in .*nowhere: state.json is missing\n$/);
    const noResume = await run(['train', '--data', data, '--out', join(dir, 'fresh'), '--resume']);
    expect(noResume.err).toMatch(/no checkpoint in .*fresh/);

    const out = join(dir, 'corrupt');
    await run(tinyTrain(data, out, '--max-iters 2 --sample-tokens 0'));
    const folder = await checkpointFolder(out);
    await truncate(join(folder, 'model.safetensors'), 100);
    const corrupt = await run(['sample', '--from', out]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.err).toMatch(
      /^proj sample: .*corrupt\/ckpt-00000002-\w+\/model.safetensors is corrupt or from another checkpoint: 100 bytes/,
    );
    expect(corrupt.err).not.toMatch(/\n\s+at /);
    await writeFile(join(folder, 'state.json'), '{ not json');
    const badState = await run(['sample', '--from', out]);
    expect(badState.code).toBe(1);
    expect(badState.err).toMatch(/state.json is not valid JSON/);
  });
});
