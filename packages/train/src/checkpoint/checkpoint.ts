import {
  type Generator,
  type GeneratorState,
  isFloatDType,
  loadSafetensors,
  saveSafetensors,
  type Tensor,
} from '@proj/tensor';
import type { TrainProgress } from '../loop/train-loop.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import { CheckpointError } from './errors.js';
import { optimizerFromSafetensors, optimizerToSafetensors } from './optimizer-io.js';
import { CHECKPOINT_VERSION, type CheckpointState, digest } from './state.js';
import { checkpointFile, verifyCheckpoint, verifyFile } from './verify.js';

/** A checkpoint in memory: `model.safetensors`, `optimizer.safetensors` and `state.json`. */
export interface Checkpoint {
  model: Uint8Array;
  optimizer: Uint8Array;
  state: CheckpointState;
  /** The folder the files were read from (set by `loadCheckpoint`), named in error messages. */
  dir?: string;
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
 * Write it with `saveCheckpoint` from `@proj/train/node`, or keep the bytes anywhere (with the
 * state as `serializeCheckpointState` text).
 * @throws CheckpointError when a weight is NaN or infinite: no checkpoint holds non-finite weights.
 */
export function createCheckpoint(o: CreateCheckpointOptions): Checkpoint {
  return checkpointOf(o, o.model.stateDict(), o.optimizer.stateDict());
}

/**
 * {@link createCheckpoint} for a model on any backend: weights and optimizer state in a device's
 * memory (WebGPU) are read back asynchronously first; on the CPU backends the same checkpoint.
 * @throws CheckpointError when a weight is NaN or infinite.
 */
export async function createCheckpointAsync(o: CreateCheckpointOptions): Promise<Checkpoint> {
  const weights = await hostTensors(o.model.stateDict());
  const optimizer = o.optimizer.stateDict();
  const state: OptimizerStateDict['state'] = {};
  for (const [index, entry] of Object.entries(optimizer.state))
    state[Number(index)] = { ...entry, buffers: await hostTensors(entry.buffers) };
  return checkpointOf(o, weights, { ...optimizer, state });
}

/** Every tensor of `dict` in host memory (device tensors read back). */
async function hostTensors(dict: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(dict)) out[name] = await t.toHost();
  return out;
}

/** The checkpoint of `o` with its weights and optimizer state as given (host tensors). */
function checkpointOf(
  o: CreateCheckpointOptions,
  weights: Record<string, Tensor>,
  optimizerState: OptimizerStateDict,
): Checkpoint {
  const nonFinite = firstNonFinite(weights);
  if (nonFinite) throw new CheckpointError(`refusing to checkpoint non-finite weights: ${nonFinite}`);
  const model = saveSafetensors(weights, { format: 'pt' });
  const optimizer = optimizerToSafetensors(optimizerState);
  const rng: Record<string, GeneratorState> = { data: o.progress.generator };
  for (const [name, g] of Object.entries(o.generators ?? {})) rng[name] = g.getState();
  const state: CheckpointState = {
    format: 'proj-checkpoint',
    version: CHECKPOINT_VERSION,
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
 * Loads a checkpoint into a model (and optimizer and generators), after checking it
 * ({@link verifyCheckpoint}: state values, file hashes, `config.model` against the weights), and
 * returns what `pretrain`'s `resume` option takes.
 * @throws CheckpointError for an invalid state, a hash mismatch, bad bytes, or weights that do not fit the model.
 */
export function restoreCheckpoint(
  ckpt: Checkpoint,
  o: RestoreCheckpointOptions,
): Pick<TrainProgress, 'iter' | 'bestValLoss' | 'history' | 'nextBatch'> {
  const state = verifyCheckpoint(ckpt);
  const modelFile = checkpointFile(ckpt, 'model.safetensors');
  let weights: Record<string, Tensor>;
  try {
    weights = loadSafetensors(ckpt.model);
  } catch (error) {
    throw new CheckpointError(`${modelFile}: ${(error as Error).message}`);
  }
  const nonFinite = firstNonFinite(weights);
  if (nonFinite) throw new CheckpointError(`${modelFile} holds non-finite weights: ${nonFinite}`);
  try {
    o.model.loadStateDict(weights);
  } catch (error) {
    throw new CheckpointError(`${modelFile} does not fit the model: ${(error as Error).message}`);
  }
  if (o.optimizer) {
    const optimizerFile = checkpointFile(ckpt, 'optimizer.safetensors');
    verifyFile(optimizerFile, ckpt.optimizer, state.files.optimizer);
    try {
      o.optimizer.loadStateDict(optimizerFromSafetensors(ckpt.optimizer));
    } catch (error) {
      throw new CheckpointError(
        error instanceof CheckpointError
          ? `${optimizerFile}: ${error.message}`
          : `${optimizerFile} does not fit the optimizer: ${(error as Error).message}`,
      );
    }
  }
  for (const [name, g] of Object.entries(o.generators ?? {})) {
    if (!Object.hasOwn(state.rng, name))
      throw new CheckpointError(`${checkpointFile(ckpt, 'state.json')}: no state for generator "${name}"`);
    g.setState(state.rng[name]!);
  }
  return {
    iter: state.iter,
    bestValLoss: state.bestValLoss ?? Infinity,
    history: state.history,
    nextBatch: state.nextBatch ?? null,
  };
}

/** The first NaN or infinite weight, described (`wte.weight holds NaN at index 3`), or null. */
function firstNonFinite(weights: Record<string, Tensor>): string | null {
  for (const [name, t] of Object.entries(weights)) {
    if (!isFloatDType(t.dtype)) continue;
    const values = t.data();
    for (let i = 0; i < values.length; i++)
      if (!Number.isFinite(values[i])) return `${name} holds ${values[i]} at index ${i}`;
  }
  return null;
}
