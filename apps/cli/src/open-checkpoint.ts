import { join } from 'node:path';
import { GPT_DEFAULTS, type GPTConfig } from '@proj/nn';
import type { Tokenizer } from '@proj/tokenizers';
import type { Checkpoint } from '@proj/train';
import { loadCheckpoint } from '@proj/train/node';
import { CliError } from './io.js';
import { tokenizerOfState } from './tokenizer-io.js';

/** A checkpoint written by `proj train`, checked and ready to build the model from. */
export interface OpenedCheckpoint {
  ckpt: Checkpoint;
  /** `config.model` with `GPT_DEFAULTS` for what it leaves out, checked against the weights by `loadCheckpoint`. */
  config: GPTConfig;
  tokenizer: Tokenizer;
}

/**
 * Loads the checkpoint in `dir` (which checks `state.json`, the weights and `config.model` against
 * them), and restores its tokenizer: everything needed before a `GPT` is allocated.
 * @throws CheckpointError or CliError naming the file and what is wrong.
 */
export async function openCheckpoint(dir: string): Promise<OpenedCheckpoint> {
  const ckpt = await loadCheckpoint(dir);
  const stateFile = join(ckpt.dir ?? dir, 'state.json');
  const saved = ckpt.state.config.model as Partial<GPTConfig> | undefined;
  if (saved === undefined)
    throw new CliError(`${stateFile} has no model config ("config.model"): not a checkpoint of proj train`);
  const config = { ...GPT_DEFAULTS, ...saved };
  const tokenizer = tokenizerOfState(ckpt.state.tokenizer, stateFile);
  if (tokenizer.vocabSize > config.vocabSize)
    throw new CliError(
      `${stateFile}: the tokenizer has ${tokenizer.vocabSize} tokens, more than the model's vocabSize ${config.vocabSize}`,
    );
  return { ckpt, config, tokenizer };
}
