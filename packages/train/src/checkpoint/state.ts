import type { GeneratorState } from '@proj/tensor';
import type { LossHistory } from '../loop/events.js';
import { CheckpointError } from './errors.js';
import { validateCheckpointState } from './validate-state.js';

/** The `version` that {@link serializeCheckpointState} writes (1: older checkpoints, without a digest). */
export const CHECKPOINT_VERSION = 2;

/** The JSON part of a checkpoint (`state.json`). */
export interface CheckpointState {
  format: 'proj-checkpoint';
  /** 2 (written now: the text carries a digest of itself) or 1 (older checkpoints, read as is). */
  version: 1 | 2;
  /** Steps taken. */
  iter: number;
  /** Best validation loss so far (`null` before any evaluation: JSON has no Infinity). */
  bestValLoss: number | null;
  /**
   * Model (and training) configuration, enough to rebuild the model. `config.model` is the
   * `GPTConfig` of the weights (as `proj train` writes it; required when they are a GPT's), checked
   * against them on load.
   */
  config: Record<string, unknown>;
  /** The serialised tokenizer (its `toJSON()`), or `null`. */
  tokenizer: unknown;
  /** Generator states by name (`data`: the batch sampler; others as given, e.g. `default`). */
  rng: Record<string, GeneratorState>;
  /** Offsets of the training batch drawn for the next step, if any (absent in older checkpoints). */
  nextBatch?: number[] | null;
  /** Losses so far (a loss that JSON could not hold, NaN, reads back as NaN). */
  history: LossHistory;
  /** Size and FNV-1a hash of each binary file, checked on load. */
  files: { model: FileDigest; optimizer: FileDigest };
}

/** Size and hash of a checkpoint file. */
export interface FileDigest {
  bytes: number;
  fnv1a: string;
}

/** Size and 32-bit FNV-1a hash (hex) of `bytes`. */
export function digest(bytes: Uint8Array): FileDigest {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return { bytes: bytes.length, fnv1a: (h >>> 0).toString(16).padStart(8, '0') };
}

/** The digest of a state: FNV-1a of the compact JSON of every field but `digest`, in order. */
function stateDigest(fields: object): string {
  return digest(new TextEncoder().encode(JSON.stringify(fields))).fnv1a;
}

/**
 * The text of `state.json`: the state (as version {@link CHECKPOINT_VERSION}) with a last field
 * `digest`, the FNV-1a hash of the compact JSON of all the other fields, so that
 * {@link parseCheckpointState} detects any edit or corruption.
 * @example await writeFile('state.json', serializeCheckpointState(ckpt.state));
 */
export function serializeCheckpointState(state: CheckpointState): string {
  // the values as they read back (NaN as null), which is what the digest of the text covers
  const plain = JSON.parse(JSON.stringify({ ...state, version: CHECKPOINT_VERSION })) as Record<
    string,
    unknown
  >;
  delete plain.digest; // a state read back from its text may carry its old digest
  return `${JSON.stringify({ ...plain, digest: stateDigest(plain) }, null, 1)}\n`;
}

/**
 * Parses `state.json` text: checks its digest (version 2; version 1 has none), then every field's
 * type and range, before anything is built from it.
 * @param file - the name to report in errors (default `state.json`).
 * @throws CheckpointError naming the file, and the field, for text that is not JSON, a digest
 *   mismatch (the file was edited or is corrupt), or a missing or invalid field.
 */
export function parseCheckpointState(text: string, file = 'state.json'): CheckpointState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`${file} is not valid JSON (${(error as Error).message})`);
  }
  const versioned = value as { version?: unknown; digest?: unknown } | null;
  if (versioned && typeof versioned === 'object' && (versioned.version !== 1 || 'digest' in versioned)) {
    const { digest: expected, ...fields } = versioned;
    if (typeof expected !== 'string')
      throw new CheckpointError(`${file}: "digest" is missing (the file is incomplete or was edited)`);
    const actual = stateDigest(fields);
    if (actual !== expected)
      throw new CheckpointError(
        `${file} was edited or is corrupt: its contents hash to ${actual}, its "digest" says ${expected}`,
      );
    value = fields;
  }
  return validateCheckpointState(value, file);
}
