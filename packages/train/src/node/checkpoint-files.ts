import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Checkpoint,
  type CreateCheckpointOptions,
  createCheckpoint,
  parseCheckpointState,
} from '../checkpoint/checkpoint.js';
import { CheckpointError } from '../checkpoint/errors.js';
import type { TrainProgress } from '../loop/pretrain.js';
import { writeFileAtomic } from './write-atomic.js';

/** File names inside a checkpoint directory. */
const FILES = {
  model: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  state: 'state.json',
} as const;

/**
 * Writes a checkpoint into `dir` (created if needed) as `model.safetensors`, `optimizer.safetensors`
 * and `state.json`, each atomically; `state.json` goes last and holds the hashes of the other two,
 * so a crash mid-save is detected on load instead of resuming from mixed files.
 */
export async function saveCheckpoint(dir: string, ckpt: Checkpoint): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, FILES.model), ckpt.model);
  await writeFileAtomic(join(dir, FILES.optimizer), ckpt.optimizer);
  await writeFileAtomic(join(dir, FILES.state), `${JSON.stringify(ckpt.state, null, 1)}\n`);
}

/**
 * Reads the checkpoint in `dir` (restore it with `restoreCheckpoint`, which checks the hashes).
 * @throws CheckpointError naming the missing or unreadable file.
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const read = async (name: string): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await readFile(join(dir, name)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new CheckpointError(`no checkpoint in ${dir}: ${name} is missing`);
      throw new CheckpointError(`cannot read ${join(dir, name)}: ${(error as Error).message}`);
    }
  };
  const stateBytes = await read(FILES.state);
  const state = parseCheckpointState(new TextDecoder().decode(stateBytes));
  return { model: await read(FILES.model), optimizer: await read(FILES.optimizer), state };
}

/**
 * A `checkpoint` callback for `pretrain` that writes into `dir` whenever the loop asks.
 * @example await pretrain({ ...options, checkpoint: checkpointWriter('runs/a', { model, optimizer, config }) });
 */
export function checkpointWriter(
  dir: string,
  options: Omit<CreateCheckpointOptions, 'progress'>,
): (progress: TrainProgress) => Promise<void> {
  return (progress) => saveCheckpoint(dir, createCheckpoint({ ...options, progress }));
}
