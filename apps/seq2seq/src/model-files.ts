import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Module } from '@proj/nn';
import { loadSafetensors, saveSafetensors } from '@proj/tensor';
import { writeFileAtomic } from '@proj/train/node';
import type { NumberLanguage } from 'demo-data';
import { type Codec, type CodecJSON, codecFromJSON } from './codec.js';
import { InputError } from './input-error.js';
import { type AnyModel, buildModel, MODEL_LABELS, type ModelSpec } from './models.js';
import type { OutputLimit, TaskData } from './tasks/task.js';

/** `config.json` beside a saved model: everything needed to rebuild it and feed it text. */
export interface SavedModelConfig {
  task: TaskData['name'];
  label: string;
  spec: ModelSpec;
  source: CodecJSON;
  target: CodecJSON;
  maxSourceLength: number;
  truncateSource: boolean;
  maxOutput: OutputLimit;
  /** Numbers task: the language digits are spelled in before translating (`translate --input 42`). */
  numberLanguage?: NumberLanguage;
}

/** A model loaded from a run folder, with its codecs and limits. */
export interface LoadedModel {
  model: AnyModel;
  config: SavedModelConfig;
  source: Codec;
  target: Codec;
}

/**
 * Writes `<dir>/model.safetensors` (the state dict, `saveSafetensors`) and `<dir>/config.json`,
 * each atomically (`writeFileAtomic`), the config last.
 */
export async function saveModel(dir: string, model: Module, spec: ModelSpec, task: TaskData): Promise<void> {
  await mkdir(dir, { recursive: true });
  const config: SavedModelConfig = {
    task: task.name,
    label: MODEL_LABELS[spec.kind],
    spec,
    source: task.source.toJSON(),
    target: task.target.toJSON(),
    maxSourceLength: task.maxSourceLength,
    truncateSource: task.truncateSource,
    maxOutput: task.maxOutput,
    numberLanguage: task.numberLanguage,
  };
  await writeFileAtomic(join(dir, 'model.safetensors'), saveSafetensors(model.stateDict(), { format: 'pt' }));
  await writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(config)}\n`);
}

/**
 * Loads a model saved by {@link saveModel}.
 * @throws InputError when the folder holds no saved model or its files do not fit together.
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  let config: SavedModelConfig;
  let bytes: Uint8Array;
  try {
    config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as SavedModelConfig;
    bytes = new Uint8Array(await readFile(join(dir, 'model.safetensors')));
  } catch (error) {
    throw new InputError(`${dir} holds no saved model (${(error as Error).message})`);
  }
  if (config.spec.kind === 'gpt')
    throw new InputError(
      `${dir} holds the decoder-only GPT, which translate does not run (it has no cross-attention to draw)`,
    );
  const model = buildModel(config.spec);
  try {
    model.loadStateDict(loadSafetensors(bytes));
  } catch (error) {
    throw new InputError(`${dir}: model.safetensors does not fit config.json: ${(error as Error).message}`);
  }
  model.eval();
  return { model, config, source: codecFromJSON(config.source), target: codecFromJSON(config.target) };
}
