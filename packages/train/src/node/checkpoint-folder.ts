import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError } from '../checkpoint/errors.js';
import {
  CHECKPOINT_FILES,
  CHECKPOINT_FOLDER,
  CHECKPOINT_POINTER,
  checkpointPointerText,
  parseCheckpointPointer,
} from '../checkpoint/layout.js';
import { writeFileAtomic } from './write-atomic.js';

/** Temporary files of `writeFileAtomic`. */
const TEMPORARY = /\.tmp-\d+-[0-9a-f]{8}$/;

/**
 * The checkpoint folder `dir/checkpoint.json` names, or null when there is no such file.
 * @throws CheckpointError when it exists but is not a pointer to a `ckpt-*` folder.
 */
export async function readPointer(dir: string): Promise<string | null> {
  const path = join(dir, CHECKPOINT_POINTER);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new CheckpointError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parseCheckpointPointer(text, path);
}

/** Atomically points `dir/checkpoint.json` at the checkpoint folder `name`. */
export async function writePointer(dir: string, name: string): Promise<void> {
  await writeFileAtomic(join(dir, CHECKPOINT_POINTER), checkpointPointerText(name));
}

/**
 * Removes what is not part of the current checkpoint: temporary files, and — when `current` is
 * known — every other checkpoint folder (with `null`: all of them) and, when `current` names a
 * folder, the files of the older flat layout. `undefined` (the pointer is unreadable) keeps every
 * folder.
 */
export async function removeStale(dir: string, current: string | null | undefined): Promise<void> {
  for (const name of await readdir(dir)) {
    const stale =
      TEMPORARY.test(name) || (current !== undefined && CHECKPOINT_FOLDER.test(name) && name !== current);
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
