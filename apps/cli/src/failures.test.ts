import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT } from '@proj/nn';
import { DTypeError, ShapeError } from '@proj/tensor';
import { TokenizerError } from '@proj/tokenizers';
import {
  CheckpointError,
  type CheckpointState,
  restoreCheckpoint,
  serializeCheckpointState,
} from '@proj/train';
import { loadCheckpoint } from '@proj/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExpectedError } from './cli.js';
import { CliError } from './io.js';
import { runCli as run, TINY, tinyTrain } from './testing/run-cli.js';

/** Parsed state.json that a test edits, putting values of any type anywhere. */
// biome-ignore lint/suspicious/noExplicitAny: the edits write deliberately wrong types
type StateJson = Record<string, any>;

let dir: string;
let data: string;
/** A 5-step run of batch size 4 (best checkpoint at 5): copied for each case that edits it. */
let base: string;
/** No sample, one thread: the quickest run. */
const QUIET = '--sample-tokens 0 --threads 1';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'proj-cli-failures-'));
  data = join(dir, 'poem.txt');
  await writeFile(data, 'the quick brown fox jumps over the lazy dog.\n'.repeat(80));
  base = join(dir, 'base');
  const r = await run(tinyTrain(data, base, `--max-iters 5 ${QUIET}`));
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Asserts a one-line failure with exit code 1 and a message matching `message`. */
function expectOneLine(r: { code: number; err: string }, message: RegExp) {
  expect(r.err).toMatch(message);
  expect(r.code).toBe(1);
  expect(r.err.split('\n')).toEqual([expect.stringMatching(/^proj \w+: /), '']);
}

/** A copy of the base run whose state.json is edited and signed again (as a forger would). */
async function forged(name: string, edit: (state: StateJson) => void): Promise<string> {
  const out = join(dir, name);
  await cp(base, out, { recursive: true });
  const path = join((await loadCheckpoint(out)).dir!, 'state.json');
  const state = JSON.parse(await readFile(path, 'utf8'));
  edit(state);
  await writeFile(path, serializeCheckpointState(state as CheckpointState));
  return out;
}

describe('a diverging run', () => {
  it('stops in one line, keeps the last good checkpoint, and writes metrics.json and loss.svg (no sample)', async () => {
    const out = join(dir, 'diverge');
    await cp(base, out, { recursive: true });
    await rm(join(out, 'sample.txt'));
    const r = await run(tinyTrain(data, out, '--resume --lr 1e10 --min-lr 1 --sample-tokens 20'));
    expectOneLine(
      r,
      /^proj train: training diverged at iter \d+ \(loss (NaN|-?Infinity), gradient norm \S+, lr \S+\): stopped before updating the weights; wrote metrics.json and loss.svg, the checkpoint of iter \d+ is kept in .*diverge\n$/,
    );
    const ckpt = await loadCheckpoint(out);
    const model = new GPT(ckpt.state.config.model as object);
    restoreCheckpoint(ckpt, { model });
    expect(model.parameters().every((p) => p.data.data().every(Number.isFinite))).toBe(true);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ resumedFrom: 5, diverged: { phase: 'step', lr: expect.any(Number) } });
    expect(metrics.iters).toBeGreaterThanOrEqual(5);
    expect(await readFile(join(out, 'loss.svg'), 'utf8')).toMatch(/^<svg/);
    expect(existsSync(join(out, 'sample.txt'))).toBe(false);
  });

  it('with --skip-nonfinite-steps n, skips up to n such steps in a row, each reported, then stops', async () => {
    const out = join(dir, 'skip');
    const r = await run(tinyTrain(data, out, `--lr 1e10 --skip-nonfinite-steps 2 ${QUIET}`));
    expect(
      r.out.match(/^iter \d+: skipped the step \(loss \S+, gradient norm \S+\), [12] in a row$/gm),
    ).toHaveLength(2);
    expectOneLine(r, /training diverged at iter \d+ \(.*, after 2 skipped steps in a row\)/);
    expect(JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')).skippedSteps).toBe(2);
  });
});

describe('one line and exit 1, or the usage and exit 2, instead of a stack trace', () => {
  it('an --out that cannot be written, found before training', async () => {
    const r = await run(['train', '--data', data, ...TINY, '--out', join(data, 'run'), ...QUIET.split(' ')]);
    expectOneLine(r, /^proj train: cannot write to --out .*poem.txt\/run: ENOTDIR/);
    expect(r.out).toBe('');
  });

  it('data too short for the block size, a huge block size or model, a non-finite --lr', async () => {
    const short = join(dir, 'short.txt');
    await writeFile(short, 'abcabc');
    const out = ['--out', join(dir, 'never'), ...QUIET.split(' ')];
    expectOneLine(
      await run(['train', '--data', short, ...TINY, ...out]),
      /--data .*short.txt is too short for block size 16: its 6 tokens split into 5 for training and 1 for validation, and each needs at least 17/,
    );
    expectOneLine(
      await run(['train', '--data', data, '--block-size', '268435456', ...out]),
      /is too short for block size 268435456/,
    );
    expectOneLine(
      await run(['train', '--data', data, '--n-layer', '1000000', '--n-embd', '1024', ...out]),
      /a GPT with 1000000 layers of width 1024, .*GiB, more than this machine's/,
    );
    expectOneLine(
      await run(['train', '--data', data, '--batch-size', '268435456', ...out]),
      /trained on batches of 268435456, needs at least \d+\.\d GiB, more than this machine's/,
    );
    const lr = await run(['train', '--data', data, '--lr', '1e400', ...out]);
    expect(lr.code).toBe(2);
    expect(lr.err).toMatch(/^proj train: --lr needs a finite number, got '1e400'\n\nUsage: proj train/);
  });

  it('a binary --data file, unless --allow-binary', async () => {
    const binary = join(dir, 'program.bin');
    await writeFile(
      binary,
      Uint8Array.from({ length: 4000 }, (_, i) => (i * 131 + (i >> 5)) % 256),
    );
    expectOneLine(
      await run(['train', '--data', binary, '--out', join(dir, 'bin'), ...QUIET.split(' ')]),
      /--data .*program.bin does not look like UTF-8 text: \d+\.\d% of its characters are invalid UTF-8 \(U\+FFFD\) or control characters; pass --allow-binary/,
    );
    const forced = await run(tinyTrain(binary, join(dir, 'bin'), `--allow-binary --max-iters 1 ${QUIET}`));
    expect(forced.err).toBe('');
    expect(forced.code).toBe(0);
  });

  it('--resume honours a new --batch-size (drawing a fresh next batch), and refuses another model shape', async () => {
    const out = join(dir, 'batch8');
    await cp(base, out, { recursive: true });
    const r = await run(tinyTrain(data, out, `--resume --batch-size 8 ${QUIET}`));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /note: --batch-size 8 differs from the checkpoint's 4: the next batch is drawn afresh, so the run no longer replays an uninterrupted one/,
    );
    expect((await loadCheckpoint(out)).state.iter).toBe(12);
    const same = await run(tinyTrain(data, out, `--resume --max-iters 13 ${QUIET}`));
    expect(same.code).toBe(0); // the same command line plus --resume
    const shape = await run([
      'train',
      '--data',
      data,
      '--n-layer',
      '3',
      '--out',
      out,
      '--resume',
      ...QUIET.split(' '),
    ]);
    expect(shape.code).toBe(2);
    expect(shape.err).toMatch(
      /^proj train: --n-layer 3 differs from the checkpoint's 1: with --resume, the model shape/,
    );
  });

  it('a state.json that was edited, or forged with a valid digest but wrong values', async () => {
    const edited = join(dir, 'edited');
    await cp(base, edited, { recursive: true });
    const path = join((await loadCheckpoint(edited)).dir!, 'state.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace('"iter": 5', '"iter": 2'));
    for (const argv of [
      ['sample', '--from', edited],
      ['train', '--data', data, '--out', edited, '--resume', ...QUIET.split(' ')],
    ])
      expectOneLine(
        await run(argv),
        /ckpt-00000005-\w+\/state.json was edited or is corrupt: its contents hash to \w+, its "digest" says \w+/,
      );

    const cases: [string, (s: StateJson) => void, RegExp][] = [
      [
        'no-model',
        (s) => delete s.config.model,
        /state.json: "config.model" is missing, but .*model.safetensors holds a GPT/,
      ],
      [
        'rng',
        (s) => (s.rng.data = { algorithm: 'torch', words: [1, 2], index: 0 }),
        /"rng.data.words" must be 624 integers/,
      ],
      [
        'history',
        (s) => (s.history = { steps: [[0, 'x']], evals: [] }),
        /"history.steps\[0\]" must be \[iteration <= 4, loss\]/,
      ],
      [
        'next-batch',
        (s) => (s.nextBatch = [0, 1, 2, 100000]),
        /"nextBatch" offset 100000 does not fit the 3240 training tokens with block size 16/,
      ],
      ['best', (s) => (s.bestValLoss = 'abc'), /"bestValLoss" must be a finite number or null, got "abc"/],
      [
        'layers',
        (s) => (s.config.model.nLayer = 1e9),
        /"config.model.nLayer" is 1000000000, .*model.safetensors has 1 blocks/,
      ],
    ];
    for (const [name, edit, message] of cases) {
      const out = await forged(name, edit);
      expectOneLine(
        await run(['train', '--data', data, ...TINY, '--out', out, '--resume', ...QUIET.split(' ')]),
        message,
      );
      if (name !== 'next-batch') expectOneLine(await run(['sample', '--from', out]), message);
    }
  });
});

describe('isExpectedError', () => {
  it('covers the typed errors of the packages, not bugs', () => {
    for (const error of [
      new CliError('x'),
      new CheckpointError('x'),
      new ShapeError('x'),
      new DTypeError('x'),
      new TokenizerError('x'),
    ])
      expect(isExpectedError(error), error.name).toBe(true);
    expect(isExpectedError(new TypeError('x'))).toBe(false);
    expect(isExpectedError(new RangeError('x'))).toBe(false);
  });
});
