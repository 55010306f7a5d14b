import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GPT, loadGPT2Pretrained } from '@proj/nn';
import { type Tokenizer, tokenizerFromHuggingFace } from '@proj/tokenizers';
import { type Checkpoint, CheckpointError, restoreCheckpoint } from '@proj/train';
import { CliError } from './io.js';
import { type OpenedCheckpoint, openCheckpoint } from './open-checkpoint.js';

/** A GPT and its tokenizer, read from a `proj train` run or a Hugging Face GPT-2 folder. */
export interface ModelSource {
  model: GPT;
  tokenizer: Tokenizer;
  /** `proj` for a run written by `proj train`, `hugging-face` for a `config.json` folder. */
  format: 'proj' | 'hugging-face';
  /** The run's checkpoint (format `proj` only), e.g. for its step count or optimizer state. */
  checkpoint?: Checkpoint;
  /** Notes to show the user: fields of `config.json` that were ignored or approximated. */
  warnings: string[];
}

/**
 * Loads the model and tokenizer in `dir`: a checkpoint of `proj train` (through `openCheckpoint`,
 * which checks it before anything is allocated, and `restoreCheckpoint`), or else a Hugging Face GPT-2 folder (`config.json`, `model.safetensors`,
 * `tokenizer.json`), as `proj export` and `transformers`' `save_pretrained` write it.
 * @throws CliError naming the folder and the file that is missing or wrong.
 */
export async function loadModelSource(dir: string): Promise<ModelSource> {
  let opened: OpenedCheckpoint;
  try {
    opened = await openCheckpoint(dir);
  } catch (error) {
    const config =
      error instanceof CheckpointError ? await readOptional(join(dir, 'config.json')) : undefined;
    if (config === undefined) throw error;
    return loadHuggingFaceFolder(dir, config);
  }
  const model = new GPT(opened.config);
  restoreCheckpoint(opened.ckpt, { model });
  return { model, tokenizer: opened.tokenizer, format: 'proj', checkpoint: opened.ckpt, warnings: [] };
}

async function loadHuggingFaceFolder(dir: string, config: Uint8Array): Promise<ModelSource> {
  const read = async (name: string) => {
    const bytes = await readOptional(join(dir, name));
    if (bytes === undefined)
      throw new CliError(`${dir} has config.json but no ${name} (a Hugging Face GPT-2 folder needs both)`);
    return bytes;
  };
  const weights = await read('model.safetensors');
  const tokenizerBytes = await read('tokenizer.json');
  let loaded: ReturnType<typeof loadGPT2Pretrained>;
  try {
    loaded = loadGPT2Pretrained({ weights, config: new TextDecoder().decode(config) });
  } catch (error) {
    throw new CliError(`${dir}: ${(error as Error).message}`);
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = tokenizerFromHuggingFace(new TextDecoder().decode(tokenizerBytes));
  } catch (error) {
    throw new CliError(`${join(dir, 'tokenizer.json')}: ${(error as Error).message}`);
  }
  const { vocabSize } = loaded.model.config;
  if (tokenizer.vocabSize > vocabSize)
    throw new CliError(
      `${join(dir, 'tokenizer.json')} has ${tokenizer.vocabSize} tokens, more than the model's vocab_size ${vocabSize}`,
    );
  return { model: loaded.model, tokenizer, format: 'hugging-face', warnings: loaded.warnings };
}

/** The file's bytes, or undefined when it does not exist. */
async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
