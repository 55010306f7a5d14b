import { CheckpointError } from './errors.js';

/** File names of one checkpoint (in its `ckpt-*` folder, or directly in a run's folder: the flat layout). */
export const CHECKPOINT_FILES = {
  model: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  state: 'state.json',
} as const;

/** The file in a run's folder that names its current checkpoint folder. */
export const CHECKPOINT_POINTER = 'checkpoint.json';

const POINTER_FORMAT = 'proj-checkpoint-pointer';
/** Checkpoint folders: `ckpt-<iter, 8 digits or more>-<8 hex digits>`. */
export const CHECKPOINT_FOLDER = /^ckpt-\d{8,}-[0-9a-f]{8}$/;

/**
 * The checkpoint folder named by the text of a run's `checkpoint.json`
 * (`{"format": "proj-checkpoint-pointer", "current": "ckpt-<iter>-<id>"}`).
 * A run's folder holds that pointer and the folder it names; a folder without a pointer holds the
 * three {@link CHECKPOINT_FILES} itself (the flat layout, which `loadCheckpoint` still reads).
 * @param file - the name to report in errors.
 * @throws CheckpointError when the text is not such a pointer.
 */
export function parseCheckpointPointer(text: string, file: string = CHECKPOINT_POINTER): string {
  let pointer: { format?: unknown; current?: unknown } | null = null;
  try {
    pointer = JSON.parse(text);
  } catch {
    // reported below
  }
  const current = pointer?.format === POINTER_FORMAT ? pointer.current : undefined;
  if (typeof current !== 'string' || !CHECKPOINT_FOLDER.test(current))
    throw new CheckpointError(
      `${file} is corrupt: expected {"format": "${POINTER_FORMAT}", "current": "ckpt-<iter>-<id>"}`,
    );
  return current;
}

/** The text of a `checkpoint.json` that names the checkpoint folder `name`. */
export function checkpointPointerText(name: string): string {
  return `${JSON.stringify({ format: POINTER_FORMAT, current: name })}\n`;
}
