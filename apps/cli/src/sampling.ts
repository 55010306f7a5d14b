import { type GPT, generate } from '@proj/nn';
import { Generator } from '@proj/tensor';
import type { Tokenizer } from '@proj/tokenizers';
import { CliError } from './io.js';

/** Options of {@link sampleText}: nanoGPT's sample.py defaults (temperature 0.8, top-k 200). */
export interface SampleTextOptions {
  prompt: string;
  maxNewTokens: number;
  seed: number;
  temperature?: number;
  topK?: number;
  topP?: number;
}

/**
 * The prompt followed by `maxNewTokens` sampled tokens, decoded. A prompt the tokenizer cannot
 * encode is an error, except the default newline, which falls back to token 0.
 */
export function sampleText(model: GPT, tokenizer: Tokenizer, o: SampleTextOptions): string {
  return sampleTexts(model, tokenizer, o, 1)[0]!;
}

/**
 * `count` samples of {@link sampleText}, decoded together as one batch (one forward per token for
 * all of them) from one generator seeded with `o.seed`: the same seed and count give the same texts.
 */
export function sampleTexts(model: GPT, tokenizer: Tokenizer, o: SampleTextOptions, count: number): string[] {
  let prompt: number[];
  try {
    prompt = tokenizer.encode(o.prompt);
  } catch (error) {
    if (o.prompt !== '\n') throw new CliError(`cannot encode the prompt: ${(error as Error).message}`);
    prompt = [0];
  }
  if (prompt.length === 0) prompt = [0];
  model.eval();
  const ids = generate(
    model,
    Array.from({ length: count }, () => prompt),
    {
      maxNewTokens: o.maxNewTokens,
      temperature: o.temperature ?? 0.8,
      topK: Math.min(o.topK ?? 200, model.config.vocabSize),
      topP: o.topP,
      generator: new Generator(o.seed),
    },
  );
  return (ids.toArray() as number[][]).map((row) => tokenizer.decode(row));
}
