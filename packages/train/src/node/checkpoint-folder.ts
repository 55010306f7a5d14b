import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError } from '../checkpoint/errors.js';
import { writeFileAtomic } from './write-atomic.js';

/** File names of one checkpoint (in its folder, or directly in the run's folder in the older layout). */
export const CHECKPOINT_FILES = {
  model: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  state: 'state.json',
} as const;

/** The file in a run's folder that names its current checkpoint folder. */
const POINTER = 'checkpoint.json';
const POINTER_FORMAT = 'proj-checkpoint-pointer';
/** Checkpoint folders: `ckpt-<iter, 8 digits or more>-<8 hex digits>`. */
const FOLDER = /^ckpt-\d{8,}-[0-9a-f]{8}$/;
/** Temporary files of `writeFileAtomic`. */
const TEMPORARY = /\.tmp-\d+-[0-9a-f]{8}$/;

/**
 * The checkpoint folder `dir/checkpoint.json` names, or null when there is no such file.
 * @throws CheckpointError when it exists but is not a pointer to a `ckpt-*` folder.
 */
export async function readPointer(dir: string): Promise<string | null> {
  const path = join(dir, POINTER);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new CheckpointError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let pointer: { format?: unknown; current?: unknown } | null = null;
  try {
    pointer = JSON.parse(text);
  } catch {
    // reported below
  }
  const current = pointer?.format === POINTER_FORMAT ? pointer.current : undefined;
  if (typeof current !== 'string' || !FOLDER.test(current))
    throw new CheckpointError(
      `${path} is corrupt: expected {"format": "${POINTER_FORMAT}", "current": "ckpt-<iter>-<id>"}`,
    );
  return current;
}

/** Atomically points `dir/checkpoint.json` at the checkpoint folder `name`. */
export async function writePointer(dir: string, name: string): Promise<void> {
  await writeFileAtomic(join(dir, POINTER), `${JSON.stringify({ format: POINTER_FORMAT, current: name })}\n`);
}

/**
 * Removes what is not part of the current checkpoint: temporary files, and — when `current` is
 * known — every other checkpoint folder (with `null`: all of them) and, when `current` names a
 * folder, the files of the older flat layout. `undefined` (the pointer is unreadable) keeps every
 * folder.
 */
export async function removeStale(dir: string, current: string | null | undefined): Promise<void> {
  for (const name of await readdir(dir)) {
    const stale = TEMPORARY.test(name) || (current !== undefined && FOLDER.test(name) && name !== current);
    if (stale) await rm(join(dir, name), { recursive: true, force: true });
  }
  if (typeof current === 'string') await removeFlatLayout(dir);
}

/** Removes a checkpoint written directly in `dir` (the older layout): its state file last. */
async function removeFlatLayout(dir: string): Promise<void> {
  let format: unknown;
  try {
    format = JSON.parse(await readFile(join(dir, CHECKPOINT_FILES.state), 'utf8'))?.format;
  } catch {
    return; // none (or not ours: left alone)
  }
  if (format !== 'proj-checkpoint') return;
  await rm(join(dir, CHECKPOINT_FILES.model), { force: true });
  await rm(join(dir, CHECKPOINT_FILES.optimizer), { force: true });
  await rm(join(dir, CHECKPOINT_FILES.state), { force: true });
}
