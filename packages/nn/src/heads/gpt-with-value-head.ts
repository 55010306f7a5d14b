import type { Variable } from '@proj/autograd';
import type { Tensor } from '@proj/tensor';
import type { KVCache } from '../attention/kv-cache.js';
import { GPT, type GPTConfig, type GPTOptions } from '../models/gpt.js';
import type { LanguageModelForwardOptions, LanguageModelOutput } from '../models/language-model.js';
import { ValueHead } from './value-head.js';

/** What {@link GPTWithValueHead.forward} returns: a GPT's outputs and a value per position. */
export interface ValueHeadOutput extends LanguageModelOutput {
  hidden: Variable;
  /** The value head's estimate at each position, `[B, T]`. */
  values: Variable;
}

/**
 * A {@link GPT} with a {@link ValueHead} on its final hidden states — TRL's
 * `AutoModelForCausalLMWithValueHead`, PPO's policy and critic in one model. It is a GPT (it
 * generates, samples, takes LoRA adapters and exports as one); its state dict is the GPT's plus
 * `v_head.summary.weight` and `v_head.summary.bias`.
 *
 * Shapes: int32 `ids` `[B, T]` → `logits` `[B, T, vocabSize]`, `values` `[B, T]`.
 * @example
 * const policy = GPTWithValueHead.fromGPT(sft, { generator: new Generator(0) });
 * const { logits, values } = policy.forward(ids);
 */
export class GPTWithValueHead extends GPT {
  v_head: ValueHead;

  constructor(config: Partial<GPTConfig> = {}, options: GPTOptions = {}) {
    super(config, options);
    this.v_head = new ValueHead(this.config.nEmbd, options);
  }

  /**
   * A copy of `gpt`'s weights with a freshly initialised value head (drawn from
   * `options.generator`), so the original can stay as PPO's frozen reference.
   * @throws Error when `gpt` has LoRA adapters (merge or unload them first).
   */
  static fromGPT(gpt: GPT, options: GPTOptions = {}): GPTWithValueHead {
    const model = new GPTWithValueHead(gpt.config, {
      dtype: gpt.lm_head.weight.dtype as GPTOptions['dtype'],
      ...options,
    });
    const { unexpected } = model.loadStateDict(gpt.stateDict(), { strict: false });
    if (unexpected.length > 0)
      throw new Error(
        `GPTWithValueHead.fromGPT: the GPT has weights a plain GPT does not (${unexpected.slice(0, 3).join(', ')}…); merge or unload its LoRA adapters first`,
      );
    return model;
  }

  /** The GPT's outputs (logits, loss with targets, hidden states) and the value of each position. */
  override forward(
    ids: Tensor,
    targets?: Tensor | null,
    options: LanguageModelForwardOptions<KVCache> = {},
  ): ValueHeadOutput {
    const out = super.forward(ids, targets, options);
    const hidden = out.hidden!;
    return { ...out, hidden, values: this.v_head.forward(hidden) };
  }
}
