import { type GenerateOptions, generate, type LanguageModel, type LanguageModelCache } from '@proj/nn';
import type { Tensor } from '@proj/tensor';

/**
 * `generate` for one prompt, reporting each new token as soon as it is sampled. `generate` feeds each
 * sampled token back into the model on the next step (alone with a KV cache, or as the last id of the
 * cropped context), so a thin view of the model reads it there; the last token is the output's last.
 * The tokens and their order are exactly `generate`'s: same cache, same sampler, same generator.
 * @returns the prompt followed by the generated ids.
 */
export function streamGenerate<C extends LanguageModelCache>(
  model: LanguageModel<C>,
  prompt: readonly number[],
  options: GenerateOptions,
  onToken: (id: number) => void,
): number[] {
  let steps = 0;
  const observed: LanguageModel<C> = {
    config: model.config,
    get training() {
      return model.training;
    },
    createCache: model.createCache && ((batchSize) => model.createCache!(batchSize)),
    forward(ids: Tensor, targets, forwardOptions) {
      if (steps++ > 0) onToken(lastId(ids));
      return model.forward(ids, targets, forwardOptions);
    },
  };
  const out = Array.from(generate(observed, prompt, options).data());
  if (out.length > prompt.length) onToken(out.at(-1)!);
  return out;
}

/** The last id of the first row of int32 `ids` `[B, T]`. */
function lastId(ids: Tensor): number {
  return ids.select(0, 0).contiguous().data().at(-1)!;
}
