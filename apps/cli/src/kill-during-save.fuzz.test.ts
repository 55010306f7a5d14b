import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GPT } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { AdamW, decayParamGroups, restoreCheckpoint } from '@proj/train';
import { loadCheckpoint } from '@proj/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY } from './testing/run-cli.js';

/**
 * Kills the built CLI (`dist/main.js`: build it first; turbo's `test` task does) with SIGKILL at
 * random instants while it checkpoints after every step, and checks after each kill that the run's
 * folder loads and that `--resume` continues from it. `PROJ_FUZZ_KILLS` kills (`pnpm fuzz`: 300),
 * at delays drawn from `PROJ_FUZZ_SEED`: a failure names the seed and the kill to replay it.
 */
const KILLS = Number(process.env.PROJ_FUZZ_KILLS ?? 20);
const SEED = Number(process.env.PROJ_FUZZ_SEED ?? 20261206);
/** Kills land this many milliseconds (at most) after the child's first save: a few save cycles. */
const MAX_DELAY_MS = 80;
const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let dir: string;
let data: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'proj-kill-'));
  data = join(dir, 'poem.txt');
  await writeFile(data, 'the quick brown fox jumps over the lazy dog.\n'.repeat(80));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A tiny model that checkpoints after every step (evaluation every step, --always-save-checkpoint). */
function trainArgs(out: string): string[] {
  const run =
    '--max-iters 1000000 --lr-decay-iters 1000000 --eval-interval 1 --eval-iters 1 --always-save-checkpoint';
  return ['train', '--data', data, ...TINY, ...run.split(' '), '--threads', '1', '--out', out];
}

/** Resolves when the child prints a line matching `pattern`; rejects with its output if it exits first. */
function waitFor(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      reject(new Error(`the CLI exited (code ${code}) before ${pattern}:\n${output}`)),
    );
  });
}

/** Loads the checkpoint in `out` as `proj train --resume` does (model, optimizer, generator). */
async function loadRun(out: string): Promise<number> {
  const ckpt = await loadCheckpoint(out);
  const model = new GPT(ckpt.state.config.model as object);
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.1));
  restoreCheckpoint(ckpt, { model, optimizer, generators: { data: new Generator(0) } });
  return ckpt.state.iter;
}

describe('proj train killed with SIGKILL at random instants', () => {
  it(`leaves a loadable checkpoint that --resume continues, ${KILLS} times (seed ${SEED})`, async () => {
    expect(existsSync(CLI), `${CLI} is missing: build the CLI first`).toBe(true);
    const out = join(dir, 'run');
    const delays = new Generator(SEED);
    let iter = 0;
    let midSave = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      const resume = kill > 1 ? ['--resume'] : [];
      const child = spawn(process.execPath, [CLI, ...trainArgs(out), ...resume], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const context = `kill ${kill} of ${KILLS} (PROJ_FUZZ_SEED=${SEED})`;
      try {
        await waitFor(child, /saved checkpoint/); // started (resumed), and saving
      } catch (error) {
        throw new Error(`${context}: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, delays.integer(0, MAX_DELAY_MS)));
      child.kill('SIGKILL');
      await exited;
      const entries = await readdir(out);
      if (
        entries.some((name) => name.includes('.tmp-')) ||
        entries.filter((n) => n.startsWith('ckpt-')).length > 1
      )
        midSave++; // the kill cut a save short
      const loaded = await loadRun(out).catch((error: Error) => {
        throw new Error(`${context}: the folder does not load: ${error.message}`);
      });
      expect(loaded, `${context}: the checkpoint went back`).toBeGreaterThanOrEqual(iter);
      iter = loaded;
    }
    // how many kills interrupted a save, for `pnpm fuzz`'s record (not asserted: timing decides)
    console.info(`${KILLS} kills, ${midSave} during a save, all loadable; the run reached iter ${iter}`);
    expect(iter).toBeGreaterThan(0);
  });

  it('SIGTERM stops after the current step and writes a final checkpoint, as Ctrl-C', async () => {
    const out = join(dir, 'term');
    const child = spawn(process.execPath, [CLI, ...trainArgs(out), '--sample-tokens', '5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(child, /saved checkpoint/);
    const code = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await code).toBe(0);
    expect(output).toMatch(/saved checkpoint to .* \(abort, iter (\d+)\)\nstopped at iter \1:/);
    const iter = Number(/\(abort, iter (\d+)\)/.exec(output)![1]);
    expect(await loadRun(out)).toBe(iter);
  });
});
