import { readSafetensorsHeader } from '@proj/tensor';
import type { Checkpoint } from './checkpoint.js';
import { CheckpointError } from './errors.js';
import { checkGPTConfig, type HeaderShapes } from './gpt-config.js';
import { type CheckpointState, digest, type FileDigest } from './state.js';
import { validateCheckpointState } from './validate-state.js';

/** `name` inside the checkpoint's folder when it was read from one, else the bare name. */
export function checkpointFile(ckpt: Pick<Checkpoint, 'dir'>, name: string): string {
  return ckpt.dir === undefined ? name : `${ckpt.dir}/${name}`;
}

/** @throws CheckpointError when `bytes` do not have the size and hash `state.json` records. */
export function verifyFile(file: string, bytes: Uint8Array, expected: FileDigest): void {
  const actual = digest(bytes);
  if (actual.bytes !== expected.bytes || actual.fnv1a !== expected.fnv1a)
    throw new CheckpointError(
      `${file} is corrupt or from another checkpoint: ${actual.bytes} bytes with hash ${actual.fnv1a}, state.json expects ${expected.bytes} bytes with hash ${expected.fnv1a}`,
    );
}

/**
 * Checks a checkpoint before anything is built from it: every `state.json` field (types and
 * ranges), the size and hash of `model.safetensors`, its header, and `config.model` (required
 * when the weights are a GPT's) against the header's tensor shapes — so a model built from `config.model` is no larger than
 * the weights file. `loadCheckpoint` and `restoreCheckpoint` call it; the optimizer file is checked
 * when it is restored.
 * @returns the state, with losses written as `null` read back as NaN.
 * @throws CheckpointError naming the file and the field.
 */
export function verifyCheckpoint(ckpt: Checkpoint): CheckpointState {
  const stateFile = checkpointFile(ckpt, 'state.json');
  const modelFile = checkpointFile(ckpt, 'model.safetensors');
  const state = validateCheckpointState(ckpt.state, stateFile);
  verifyFile(modelFile, ckpt.model, state.files.model);
  const shapes = headerShapes(ckpt.model, modelFile);
  // a GPT's weights need their config to be rebuilt (GPT's defaults would build a 124M model)
  if (state.config.model !== undefined || shapes.has('transformer.wte.weight'))
    checkGPTConfig(state.config.model, shapes, stateFile, modelFile);
  return state;
}

function headerShapes(bytes: Uint8Array, file: string): HeaderShapes {
  let header: Record<string, unknown>;
  try {
    header = readSafetensorsHeader(bytes).header;
  } catch (error) {
    throw new CheckpointError(`${file}: ${(error as Error).message}`);
  }
  const shapes = new Map<string, number[]>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const shape = (entry as { shape?: unknown } | null)?.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new CheckpointError(`${file}: tensor "${name}" has no valid shape (${JSON.stringify(shape)})`);
    shapes.set(name, shape);
  }
  return shapes;
}
