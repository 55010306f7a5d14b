import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Checkpoint,
  type CreateCheckpointOptions,
  createCheckpointAsync,
} from '../checkpoint/checkpoint.js';
import { CheckpointError } from '../checkpoint/errors.js';
import { CHECKPOINT_FILES } from '../checkpoint/layout.js';
import { parseCheckpointState, serializeCheckpointState } from '../checkpoint/state.js';
import { verifyCheckpoint } from '../checkpoint/verify.js';
import type { TrainProgress } from '../loop/train-loop.js';
import { readPointer, removeStale, writePointer } from './checkpoint-folder.js';
import { syncDirectory } from './write-atomic.js';

/**
 * Writes a checkpoint into `dir` (created if needed) so that at every instant `dir` holds a
 * loadable checkpoint, the previous one or this one, whenever the process is killed:
 * 1. the files go into a new folder `ckpt-<iter>-<random>/` (`model.safetensors`,
 *    `optimizer.safetensors`, `state.json`), each fsynced, then the folder entries;
 * 2. `checkpoint.json`, which names the current folder, is replaced atomically (written beside,
 *    fsynced, renamed over);
 * 3. the previous folder is removed, with anything a killed save left behind (`*.tmp-*` files,
 *    unnamed `ckpt-*` folders) and the files of the older flat layout.
 *
 * A checkpoint that would not load ({@link verifyCheckpoint}) is refused before anything is written.
 * @throws CheckpointError for such a checkpoint; the file system's errors.
 */
export async function saveCheckpoint(dir: string, ckpt: Checkpoint): Promise<void> {
  verifyCheckpoint(ckpt);
  await mkdir(dir, { recursive: true });
  let previous: string | null | undefined;
  try {
    previous = await readPointer(dir);
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    previous = undefined; // an unreadable pointer: keep every folder until the new one is named
  }
  await removeStale(dir, previous);
  const name = await createFolder(dir, ckpt.state.iter);
  const folder = join(dir, name);
  await writeDurably(join(folder, CHECKPOINT_FILES.model), ckpt.model);
  await writeDurably(join(folder, CHECKPOINT_FILES.optimizer), ckpt.optimizer);
  await writeDurably(join(folder, CHECKPOINT_FILES.state), serializeCheckpointState(ckpt.state));
  await syncDirectory(folder);
  await syncDirectory(dir);
  await writePointer(dir, name);
  await removeStale(dir, name);
}

/**
 * Reads the checkpoint in `dir`: the folder `checkpoint.json` names, or the files directly in
 * `dir` (the layout written before checkpoint folders existed). Checks `state.json` (its digest and
 * every field), the weights' size, hash and header, and `config.model` against that header
 * ({@link verifyCheckpoint}); `restoreCheckpoint` checks the optimizer file when it loads it.
 * @throws CheckpointError naming the missing, unreadable or invalid file (and field).
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  for (let attempt = 1; ; attempt++) {
    const current = await readPointer(dir);
    try {
      return await readCheckpointFolder(current === null ? dir : join(dir, current), dir);
    } catch (error) {
      // a save in another process switched to a new folder and removed this one while it was read
      const gone = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
      if (current !== null && gone && attempt < 3 && (await readPointer(dir)) !== current) continue;
      throw error;
    }
  }
}

/**
 * A `checkpoint` callback for `pretrain` that writes into `dir` whenever the loop asks.
 * @example await pretrain({ ...options, checkpoint: checkpointWriter('runs/a', { model, optimizer, config }) });
 */
export function checkpointWriter(
  dir: string,
  options: Omit<CreateCheckpointOptions, 'progress'>,
): (progress: TrainProgress) => Promise<void> {
  return async (progress) => saveCheckpoint(dir, await createCheckpointAsync({ ...options, progress }));
}

async function readCheckpointFolder(folder: string, dir: string): Promise<Checkpoint> {
  const read = async (name: string): Promise<Uint8Array> => {
    const path = join(folder, name);
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        throw new CheckpointError(
          folder === dir ? `no checkpoint in ${dir}: ${name} is missing` : `${path} is missing`,
          { cause: error },
        );
      throw new CheckpointError(`cannot read ${path}: ${(error as Error).message}`);
    }
  };
  const stateText = new TextDecoder().decode(await read(CHECKPOINT_FILES.state));
  const state = parseCheckpointState(stateText, join(folder, CHECKPOINT_FILES.state));
  const model = await read(CHECKPOINT_FILES.model);
  const optimizer = await read(CHECKPOINT_FILES.optimizer);
  const ckpt: Checkpoint = { model, optimizer, state, dir: folder };
  return { ...ckpt, state: verifyCheckpoint(ckpt) };
}

/** Creates a new, empty `ckpt-<iter>-<random>` folder in `dir` and returns its name. */
async function createFolder(dir: string, iter: number): Promise<string> {
  for (;;) {
    const name = `ckpt-${String(iter).padStart(8, '0')}-${randomBytes(4).toString('hex')}`;
    try {
      await mkdir(join(dir, name));
      return name;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Writes a new file and fsyncs it. */
async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const file = await open(path, 'wx');
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
}
