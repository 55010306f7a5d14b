import {
  type Generator,
  type GeneratorState,
  loadSafetensors,
  saveSafetensors,
  type Tensor,
} from '@proj/tensor';
import type { LossHistory } from '../loop/events.js';
import type { TrainProgress } from '../loop/pretrain.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import { CheckpointError } from './errors.js';
import { optimizerFromSafetensors, optimizerToSafetensors } from './optimizer-io.js';

/** The JSON part of a checkpoint (`state.json`). */
export interface CheckpointState {
  format: 'proj-checkpoint';
  version: 1;
  /** Steps taken. */
  iter: number;
  /** Best validation loss so far (`null` before any evaluation: JSON has no Infinity). */
  bestValLoss: number | null;
  /** Model (and training) configuration, enough to rebuild the model. */
  config: Record<string, unknown>;
  /** The serialised tokenizer (its `toJSON()`), or `null`. */
  tokenizer: unknown;
  /** Generator states by name (`data`: the batch sampler; others as given, e.g. `default`). */
  rng: Record<string, GeneratorState>;
  /** Offsets of the training batch drawn for the next step, if any (absent in older checkpoints). */
  nextBatch?: number[] | null;
  history: LossHistory;
  /** Size and FNV-1a hash of each binary file, checked on load. */
  files: { model: FileDigest; optimizer: FileDigest };
}

/** Size and hash of a checkpoint file. */
export interface FileDigest {
  bytes: number;
  fnv1a: string;
}

/** A checkpoint in memory: `model.safetensors`, `optimizer.safetensors` and `state.json`. */
export interface Checkpoint {
  model: Uint8Array;
  optimizer: Uint8Array;
  state: CheckpointState;
}

/** What a checkpoint needs from a model: its state dict, and loading one. */
export interface StatefulModule {
  stateDict(): Record<string, Tensor>;
  loadStateDict(state: Record<string, Tensor>): unknown;
}

/** What a checkpoint needs from an optimizer. */
export interface StatefulOptimizer {
  stateDict(): OptimizerStateDict;
  loadStateDict(state: OptimizerStateDict): void;
}

/** Inputs of {@link createCheckpoint}. */
export interface CreateCheckpointOptions {
  model: StatefulModule;
  optimizer: StatefulOptimizer;
  /** The loop's progress (as given to `pretrain`'s `checkpoint` callback). */
  progress: TrainProgress;
  /** Configuration to store (JSON-serialisable). */
  config: Record<string, unknown>;
  /** Serialised tokenizer (JSON-serialisable), if any. */
  tokenizer?: unknown;
  /** More generators to save by name, e.g. `{ default: defaultGenerator() }` for dropout. */
  generators?: Record<string, Generator>;
}

/**
 * Captures a training run in memory: weights and optimizer state as safetensors bytes, and the
 * state JSON (iteration, best loss, config, tokenizer, generator states, loss history, file hashes).
 * Write it with `saveCheckpoint` from `@proj/train/node`, or keep the bytes anywhere.
 */
export function createCheckpoint(o: CreateCheckpointOptions): Checkpoint {
  const model = saveSafetensors(o.model.stateDict(), { format: 'pt' });
  const optimizer = optimizerToSafetensors(o.optimizer.stateDict());
  const rng: Record<string, GeneratorState> = { data: o.progress.generator };
  for (const [name, g] of Object.entries(o.generators ?? {})) rng[name] = g.getState();
  const state: CheckpointState = {
    format: 'proj-checkpoint',
    version: 1,
    iter: o.progress.iter,
    bestValLoss: Number.isFinite(o.progress.bestValLoss) ? o.progress.bestValLoss : null,
    config: o.config,
    tokenizer: o.tokenizer ?? null,
    rng,
    nextBatch: o.progress.nextBatch ?? null,
    history: o.progress.history,
    files: { model: digest(model), optimizer: digest(optimizer) },
  };
  return { model, optimizer, state: JSON.parse(JSON.stringify(state)) as CheckpointState };
}

/** Inputs of {@link restoreCheckpoint}: what to load the checkpoint into. */
export interface RestoreCheckpointOptions {
  model: StatefulModule;
  /** Optional: sampling needs only the weights. */
  optimizer?: StatefulOptimizer;
  /** Generators to restore by name (`data` is the batch sampler). */
  generators?: Record<string, Generator>;
}

/**
 * Loads a checkpoint into a model (and optimizer and generators), after checking the file hashes,
 * and returns what `pretrain`'s `resume` option takes.
 * @throws CheckpointError for a hash mismatch, bad bytes, or weights that do not fit the model.
 */
export function restoreCheckpoint(
  ckpt: Checkpoint,
  o: RestoreCheckpointOptions,
): Pick<TrainProgress, 'iter' | 'bestValLoss' | 'history' | 'nextBatch'> {
  const { state } = ckpt;
  verify('model.safetensors', ckpt.model, state.files.model);
  let weights: Record<string, Tensor>;
  try {
    weights = loadSafetensors(ckpt.model);
  } catch (error) {
    throw new CheckpointError(`model.safetensors: ${(error as Error).message}`);
  }
  try {
    o.model.loadStateDict(weights);
  } catch (error) {
    throw new CheckpointError(`model.safetensors does not fit the model: ${(error as Error).message}`);
  }
  if (o.optimizer) {
    verify('optimizer.safetensors', ckpt.optimizer, state.files.optimizer);
    try {
      o.optimizer.loadStateDict(optimizerFromSafetensors(ckpt.optimizer));
    } catch (error) {
      if (error instanceof CheckpointError) throw error;
      throw new CheckpointError(
        `optimizer.safetensors does not fit the optimizer: ${(error as Error).message}`,
      );
    }
  }
  for (const [name, g] of Object.entries(o.generators ?? {})) {
    const saved = state.rng[name];
    if (!saved) throw new CheckpointError(`state.json: no state for generator "${name}"`);
    g.setState(saved);
  }
  return {
    iter: state.iter,
    bestValLoss: state.bestValLoss ?? Infinity,
    history: state.history,
    nextBatch: state.nextBatch ?? null,
  };
}

/**
 * Parses and validates `state.json` text.
 * @throws CheckpointError when it is not JSON or lacks a field.
 */
export function parseCheckpointState(text: string): CheckpointState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`state.json is not valid JSON (${(error as Error).message})`);
  }
  const s = value as Partial<CheckpointState> | null;
  if (!s || typeof s !== 'object' || s.format !== 'proj-checkpoint')
    throw new CheckpointError('state.json is not a proj checkpoint (no "format": "proj-checkpoint")');
  if (s.version !== 1) throw new CheckpointError(`state.json: unsupported version ${String(s.version)}`);
  const required: [keyof CheckpointState, string][] = [
    ['iter', 'number'],
    ['config', 'object'],
    ['rng', 'object'],
    ['history', 'object'],
    ['files', 'object'],
  ];
  for (const [key, type] of required) {
    if (typeof s[key] !== type || s[key] === null)
      throw new CheckpointError(`state.json: "${key}" is missing or not a ${type}`);
  }
  return s as CheckpointState;
}

function verify(name: string, bytes: Uint8Array, expected: FileDigest | undefined): void {
  if (!expected) throw new CheckpointError(`state.json: no digest for ${name}`);
  const actual = digest(bytes);
  if (actual.bytes !== expected.bytes || actual.fnv1a !== expected.fnv1a)
    throw new CheckpointError(
      `${name} is corrupt or from another checkpoint: ${actual.bytes} bytes with hash ${actual.fnv1a}, state.json expects ${expected.bytes} bytes with hash ${expected.fnv1a}`,
    );
}

/** Size and 32-bit FNV-1a hash (hex) of `bytes`. */
export function digest(bytes: Uint8Array): FileDigest {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return { bytes: bytes.length, fnv1a: (h >>> 0).toString(16).padStart(8, '0') };
}
