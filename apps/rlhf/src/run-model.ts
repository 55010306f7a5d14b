import { applyLoRA, GPT, type GPTConfig, GPTRewardModel, GPTWithValueHead, type LoRAConfig } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { BPETokenizer } from '@proj/tokenizers';
import { restoreCheckpoint } from '@proj/train';
import { loadCheckpoint } from '@proj/train/node';

/** A policy written by `proj train`, `proj dpo`, `proj ppo` or `proj grpo`, and its tokenizer. */
export interface RunModel {
  model: GPT;
  tokenizer: BPETokenizer;
  /** The run's `config` (`config.train`, `config.ppo`, …). */
  config: Record<string, unknown>;
}

/**
 * Loads the language model of a run folder with its weights (and its value head or LoRA adapters,
 * as the run trained them), in eval mode.
 * @throws Error when the run is not a BPE language-model run of `proj`.
 */
export async function loadRunModel(dir: string): Promise<RunModel> {
  const ckpt = await loadCheckpoint(dir);
  const { config } = ckpt.state;
  const tokenizer = ckpt.state.tokenizer as { type?: string; huggingFace?: unknown } | null;
  if (tokenizer?.type !== 'bpe')
    throw new Error(`${dir}: the demo needs a run with a BPE tokenizer (proj train --tokenizer bpe:<n>)`);
  if (config.head === 'reward') throw new Error(`${dir} holds a reward model, not a policy`);
  const modelConfig = config.model as GPTConfig;
  const generator = new Generator(0);
  const model =
    config.head === 'value'
      ? new GPTWithValueHead(modelConfig, { generator })
      : new GPT(modelConfig, { generator });
  if (config.lora) applyLoRA(model, { ...(config.lora as LoRAConfig), generator });
  restoreCheckpoint(ckpt, { model });
  return {
    model: model.eval(),
    tokenizer: BPETokenizer.fromHuggingFace(tokenizer.huggingFace as never),
    config,
  };
}

/** The reward model of a `proj reward-model` run, with its weights, in eval mode. */
export async function loadRewardModel(dir: string): Promise<GPTRewardModel> {
  const ckpt = await loadCheckpoint(dir);
  if (ckpt.state.config.head !== 'reward') throw new Error(`${dir} is not a run of proj reward-model`);
  const model = new GPTRewardModel(ckpt.state.config.model as GPTConfig, { generator: new Generator(0) });
  restoreCheckpoint(ckpt, { model });
  return model.eval();
}
