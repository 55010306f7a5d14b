import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@proj/tensor';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Checkpoint, createCheckpoint, restoreCheckpoint } from '../checkpoint/checkpoint.js';
import { Adam } from '../optim/adam.js';
import { TinyLM } from '../testing/tiny-lm.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint-files.js';

/**
 * The process "dies" at file-system call number `after`: that call and every later one throw.
 * `beforeRead` runs before a `readFile`, to let another writer act in between.
 */
const crash = vi.hoisted(() => ({
  after: Number.POSITIVE_INFINITY,
  calls: 0,
  beforeRead: null as ((path: string) => Promise<void>) | null,
}));

class SimulatedCrash extends Error {}

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const step = () => {
    if (crash.calls++ >= crash.after) throw new SimulatedCrash('killed');
  };
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      step();
      return fn(...args);
    };
  const open = async (...args: Parameters<typeof real.open>) => {
    step();
    const handle = await real.open(...args);
    return {
      writeFile: wrap(handle.writeFile.bind(handle)),
      sync: async () => step(), // a killed process loses no written data: fsync only costs time here
      close: async () => {
        await handle.close(); // never leak the descriptor, even in a "dead" process
        step();
      },
    };
  };
  const mocked = {
    ...real,
    open,
    mkdir: wrap(real.mkdir),
    rename: wrap(real.rename),
    rm: wrap(real.rm),
    readdir: wrap(real.readdir),
    readFile: wrap(async (...args: Parameters<typeof real.readFile>) => {
      const hook = crash.beforeRead;
      crash.beforeRead = null;
      await hook?.(String(args[0]));
      return real.readFile(...args);
    }),
  };
  return { ...mocked, default: mocked };
});

let dir: string;
beforeEach(async () => {
  crash.after = Number.POSITIVE_INFINITY;
  crash.beforeRead = null;
  dir = await fs.mkdtemp(join(tmpdir(), 'proj-crash-'));
});
afterEach(async () => {
  crash.after = Number.POSITIVE_INFINITY;
  await fs.rm(dir, { recursive: true, force: true });
});

const model = new TinyLM(8, 8, new Generator(1));
const optimizer = new Adam(model.parameters());

function checkpointAt(iter: number): Checkpoint {
  for (const p of model.parameters()) p.data.storage[0] = iter; // weights that tell the checkpoints apart
  const generator = new Generator(iter).getState();
  const progress = { iter, bestValLoss: 1 / iter, history: { steps: [], evals: [] }, generator };
  return createCheckpoint({ model, optimizer, progress, config: { iter } });
}

/** Loads and restores the checkpoint in `dir`, returning its iteration. */
async function loadIter(): Promise<number> {
  const ckpt = await loadCheckpoint(dir);
  const into = new TinyLM(8, 8, new Generator(2));
  restoreCheckpoint(ckpt, {
    model: into,
    optimizer: new Adam(into.parameters()),
    generators: { data: new Generator(0) },
  });
  expect(into.parameters()[0]!.data.storage[0]).toBe(ckpt.state.iter);
  return ckpt.state.iter;
}

/** Runs `save` with a crash at every file-system call in turn, until it completes without one. */
async function everyCrashPoint(
  prepare: () => Promise<void>,
  save: () => Promise<void>,
  check: (crashed: boolean) => Promise<void>,
): Promise<number> {
  for (let after = 0; ; after++) {
    await fs.rm(dir, { recursive: true, force: true });
    await prepare();
    crash.calls = 0;
    crash.after = after;
    const crashed = await save().then(
      () => false,
      (error: unknown) => {
        if (!(error instanceof SimulatedCrash)) throw error;
        return true;
      },
    );
    crash.after = Number.POSITIVE_INFINITY;
    await check(crashed);
    if (!crashed) return after;
  }
}

describe('saveCheckpoint killed between any two file-system calls', () => {
  it('leaves the previous or the new checkpoint loadable, and the next save cleans up', async () => {
    const [old, next, later] = [checkpointAt(1), checkpointAt(2), checkpointAt(3)];
    const seen = new Set<number>();
    const points = await everyCrashPoint(
      async () => {
        await saveCheckpoint(dir, old);
      },
      () => saveCheckpoint(dir, next),
      async (crashed) => {
        const iter = await loadIter();
        expect(crashed ? [1, 2] : [2]).toContain(iter);
        seen.add(iter);
        await saveCheckpoint(dir, later);
        expect(await loadIter()).toBe(3);
        const entries = (await fs.readdir(dir)).sort();
        expect(entries).toEqual(['checkpoint.json', expect.stringMatching(/^ckpt-00000003-/)]);
      },
    );
    expect(points).toBeGreaterThan(10);
    expect([...seen].sort()).toEqual([1, 2]); // some crashes kept the old one, later ones the new one
  });

  it('from the flat layout of older versions too', async () => {
    const old = checkpointAt(1);
    const points = await everyCrashPoint(
      async () => {
        await fs.mkdir(dir, { recursive: true });
        await fs.writeFile(join(dir, 'model.safetensors'), old.model);
        await fs.writeFile(join(dir, 'optimizer.safetensors'), old.optimizer);
        await fs.writeFile(join(dir, 'state.json'), JSON.stringify({ ...old.state, version: 1 }));
      },
      () => saveCheckpoint(dir, checkpointAt(2)),
      async (crashed) => {
        expect(crashed ? [1, 2] : [2]).toContain(await loadIter());
      },
    );
    expect(points).toBeGreaterThan(10);
  });

  it('into an empty folder: the new checkpoint, or none (never a broken one)', async () => {
    await everyCrashPoint(
      async () => {},
      () => saveCheckpoint(dir, checkpointAt(2)),
      async (crashed) => {
        const loaded = await loadIter().catch((error: Error) => error);
        if (crashed && loaded instanceof Error) expect(loaded.message).toMatch(/no checkpoint in/);
        else expect(loaded).toBe(2);
      },
    );
  });

  it('a reader racing a save (which removes the folder it was reading) reads the new checkpoint', async () => {
    await saveCheckpoint(dir, checkpointAt(1));
    const later = checkpointAt(2);
    let raced = false;
    const race = async (path: string) => {
      if (!path.endsWith('model.safetensors')) return void (crash.beforeRead = race);
      await saveCheckpoint(dir, later); // switches checkpoint.json and removes the folder being read
      raced = true;
    };
    crash.beforeRead = race;
    expect(await loadIter()).toBe(2);
    expect(raced).toBe(true);
  });
});
