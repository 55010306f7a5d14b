import { loadSafetensors, readSafetensorsHeader, saveSafetensors, type Tensor } from '@proj/tensor';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import { CheckpointError } from './errors.js';

/**
 * An optimizer state dict as safetensors bytes: buffers as tensors named `state.<param>.<buffer>`,
 * step counts and parameter groups as JSON in the header's `__metadata__`.
 */
export function optimizerToSafetensors(state: OptimizerStateDict): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  const steps: Record<string, number> = {};
  for (const [index, entry] of Object.entries(state.state)) {
    steps[index] = entry.step;
    for (const [name, t] of Object.entries(entry.buffers)) tensors[`state.${index}.${name}`] = t;
  }
  return saveSafetensors(tensors, {
    format: 'proj-optimizer',
    steps: JSON.stringify(steps),
    param_groups: JSON.stringify(state.paramGroups),
  });
}

/**
 * Parses bytes written by {@link optimizerToSafetensors}.
 * @throws CheckpointError when the bytes are not such a file.
 */
export function optimizerFromSafetensors(bytes: Uint8Array): OptimizerStateDict {
  let meta: Record<string, string>;
  let tensors: Record<string, Tensor>;
  try {
    const { header } = readSafetensorsHeader(bytes);
    meta = (header.__metadata__ ?? {}) as Record<string, string>;
    tensors = loadSafetensors(bytes);
  } catch (error) {
    throw new CheckpointError(`optimizer state is not valid safetensors: ${(error as Error).message}`);
  }
  if (meta.format !== 'proj-optimizer' || !meta.steps || !meta.param_groups)
    throw new CheckpointError('optimizer state: missing the proj-optimizer metadata (steps, param_groups)');
  let steps: Record<string, number>;
  let paramGroups: OptimizerStateDict['paramGroups'];
  try {
    steps = JSON.parse(meta.steps) as Record<string, number>;
    paramGroups = JSON.parse(meta.param_groups) as OptimizerStateDict['paramGroups'];
  } catch (error) {
    throw new CheckpointError(`optimizer state: metadata is not valid JSON (${(error as Error).message})`);
  }
  const state: OptimizerStateDict['state'] = {};
  for (const [index, step] of Object.entries(steps)) state[Number(index)] = { step, buffers: {} };
  for (const [name, t] of Object.entries(tensors)) {
    const match = /^state\.(\d+)\.(\w+)$/.exec(name);
    const entry = match ? state[Number(match[1])] : undefined;
    if (!match || !entry) throw new CheckpointError(`optimizer state: unexpected tensor "${name}"`);
    entry.buffers[match[2]!] = t;
  }
  return { state, paramGroups };
}
