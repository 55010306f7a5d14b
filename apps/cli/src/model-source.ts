import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import {
  applyLoRA,
  GPT,
  GPTRewardModel,
  GPTWithValueHead,
  type LoRAConfig,
  loadGPT2Pretrained,
  loadLoRAAdapter,
  loraLayers,
  type Module,
} from '@proj/nn';
import { Generator } from '@proj/tensor';
import { type Tokenizer, tokenizerFromHuggingFace } from '@proj/tokenizers';
import { type Checkpoint, CheckpointError, restoreCheckpoint } from '@proj/train';
import { CliError } from './io.js';
import { type OpenedCheckpoint, openCheckpoint } from './open-checkpoint.js';

/** A GPT and its tokenizer, read from a proj run, a Hugging Face GPT-2 folder or a PEFT adapter folder. */
export interface ModelSource {
  /** The model, with its LoRA adapters when the source has them. */
  model: GPT;
  tokenizer: Tokenizer;
  /** `proj` for a run of `proj train`/`finetune`, `hugging-face` for a `config.json` folder, `adapter` for a PEFT folder. */
  format: 'proj' | 'hugging-face' | 'adapter';
  /** The run's checkpoint (format `proj` only), e.g. for its step count or optimizer state. */
  checkpoint?: Checkpoint;
  /** Notes to show the user: fields of `config.json` that were ignored or approximated. */
  warnings: string[];
}

/**
 * Loads the model and tokenizer in `dir`, with its LoRA adapters if any:
 * - a run of `proj train` or `proj finetune` (through `openCheckpoint`, which checks it before
 *   anything is allocated, and `restoreCheckpoint`; a LoRA run's `config.lora` adapts the model first);
 * - a PEFT adapter folder (`adapter_config.json`, `adapter_model.safetensors`): its base model is
 *   loaded from `base_model_name_or_path` (a folder, resolved from the working directory, or else
 *   from the adapter folder), then adapted;
 * - a Hugging Face GPT-2 folder (`config.json`, `model.safetensors`, `tokenizer.json`), as
 *   `proj export` and `transformers`' `save_pretrained` write it.
 * @throws CliError naming the folder and the file that is missing or wrong.
 */
export async function loadModelSource(dir: string): Promise<ModelSource> {
  let opened: OpenedCheckpoint;
  try {
    opened = await openCheckpoint(dir);
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    const adapter = await readOptional(join(dir, 'adapter_config.json'));
    if (adapter !== undefined) return loadAdapterFolder(dir, adapter);
    const config = await readOptional(join(dir, 'config.json'));
    if (config === undefined) throw error;
    return loadHuggingFaceFolder(dir, config);
  }
  const model = modelOfCheckpoint(opened, dir);
  restoreCheckpoint(opened.ckpt, { model });
  return { model, tokenizer: opened.tokenizer, format: 'proj', checkpoint: opened.ckpt, warnings: [] };
}

/** The head a run's model carries besides its GPT trunk (`config.head` of its checkpoint). */
export type ModelHead = 'value' | 'reward' | null;

/**
 * The GPT a checkpoint describes, not yet restored: `config.model`, with a value head for a run of
 * `proj ppo` (`config.head: 'value'`; still a GPT, which samples and exports), adapted by
 * `config.lora` when the run trained LoRA adapters (so the checkpoint's `lora_A`/`lora_B` weights
 * have a place to go).
 * @param generator - source of dropout masks (and of the values the restore overwrites).
 * @throws CliError for a reward model's run (not a language model) or a `config.lora` that cannot be applied.
 */
export function modelOfCheckpoint(opened: OpenedCheckpoint, dir: string, generator = new Generator(0)): GPT {
  const head = headOf(opened);
  if (head === 'reward')
    throw new CliError(
      `${dir} holds a reward model (proj reward-model), not a language model: pass it to proj ppo or proj grpo as --reward-model`,
    );
  const model =
    head === 'value'
      ? new GPTWithValueHead(opened.config, { generator })
      : new GPT(opened.config, { generator });
  return adaptAsSaved(model, opened, dir, generator);
}

/**
 * The reward model a run of `proj reward-model` describes, not yet restored.
 * @throws CliError when the run holds no reward model.
 */
export function rewardModelOfCheckpoint(
  opened: OpenedCheckpoint,
  dir: string,
  generator = new Generator(0),
): GPTRewardModel {
  if (headOf(opened) !== 'reward')
    throw new CliError(
      `${dir} is not a run of proj reward-model (its state.json has no "config.head": "reward")`,
    );
  return adaptAsSaved(new GPTRewardModel(opened.config, { generator }), opened, dir, generator);
}

function headOf(opened: OpenedCheckpoint): ModelHead {
  return (opened.ckpt.state.config.head as ModelHead | undefined) ?? null;
}

/** `model` adapted by the checkpoint's `config.lora`, when it has one. */
function adaptAsSaved<M extends Module>(
  model: M,
  opened: OpenedCheckpoint,
  dir: string,
  generator: Generator,
): M {
  const lora = opened.ckpt.state.config.lora as LoRAConfig | null | undefined;
  if (lora) {
    const stateFile = join(opened.ckpt.dir ?? dir, 'state.json');
    cliErrorFrom(`${stateFile}: "config.lora"`, () => applyLoRA(model, { ...lora, generator }));
  }
  return model;
}

async function loadAdapterFolder(dir: string, configBytes: Uint8Array): Promise<ModelSource> {
  const configFile = join(dir, 'adapter_config.json');
  const config = cliErrorFrom(configFile, () => JSON.parse(new TextDecoder().decode(configBytes)) as unknown);
  const basePath = (config as { base_model_name_or_path?: unknown } | null)?.base_model_name_or_path;
  if (typeof basePath !== 'string' || basePath === '')
    throw new CliError(`${configFile} names no base model ("base_model_name_or_path")`);
  const weightsFile = join(dir, 'adapter_model.safetensors');
  const weights = await readOptional(weightsFile);
  if (weights === undefined)
    throw new CliError(`${dir} has adapter_config.json but no adapter_model.safetensors`);
  const base = await loadModelSource(
    isAbsolute(basePath) || (await exists(basePath)) ? basePath : join(dir, basePath),
  );
  if (loraLayers(base.model).length > 0)
    throw new CliError(`${configFile}: its base ${basePath} already has LoRA adapters (merge them first)`);
  cliErrorFrom(weightsFile, () => loadLoRAAdapter(base.model, config as object, weights));
  return { ...base, format: 'adapter', checkpoint: undefined };
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
  const loaded = cliErrorFrom(dir, () =>
    loadGPT2Pretrained({ weights, config: new TextDecoder().decode(config) }),
  );
  const tokenizer = cliErrorFrom(join(dir, 'tokenizer.json'), () =>
    tokenizerFromHuggingFace(new TextDecoder().decode(tokenizerBytes)),
  );
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

/** Whether `path` exists. */
async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn`, turning what it throws into a CliError prefixed with `where`. */
function cliErrorFrom<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new CliError(`${where}: ${(error as Error).message}`);
  }
}
