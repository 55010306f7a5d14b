import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type GPT, gpt2ConfigToHuggingFace, saveGPT2 } from '@proj/nn';
import { CharTokenizer, type Tokenizer, TokenizerError, tokenizerToHuggingFace } from '@proj/tokenizers';
import { CheckpointError } from '@proj/train';
import { loadCheckpoint, writeFileAtomic } from '@proj/train/node';
import { CliError } from './io.js';

/** GPT-2's end-of-text token, used as bos and eos when the tokenizer has it. */
const END_OF_TEXT = '<|endoftext|>';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * The files of a Hugging Face GPT-2 folder for `model` and `tokenizer`, by name: what
 * `GPT2LMHeadModel.from_pretrained(dir)` and `AutoTokenizer.from_pretrained(dir)` read.
 * - `model.safetensors`: `GPT2LMHeadModel`'s keys (`transformer.h.0.attn.c_attn.weight`, …), Conv1D
 *   weights `[in, out]`, zero biases for a model without them, `lm_head.weight` only when untied.
 * - `config.json`: `GPT2Config` (`gelu` for exact GELU, `gelu_new` for tanh; bos/eos ids).
 * - `tokenizer.json`, `tokenizer_config.json` (`PreTrainedTokenizerFast`, no clean-up of spaces on
 *   decode), `special_tokens_map.json`.
 * - `generation_config.json`: bos/eos, and `proj sample`'s sampling (temperature 0.8, top-k 200).
 * @throws CliError for a tokenizer with no `tokenizer.json` form.
 */
export function huggingFaceFiles(model: GPT, tokenizer: Tokenizer): Record<string, Uint8Array | string> {
  let tokenizerJSON: unknown;
  try {
    tokenizerJSON = tokenizerToHuggingFace(tokenizer);
  } catch (error) {
    if (error instanceof TokenizerError) throw new CliError(error.message);
    throw error;
  }
  const endOfText = tokenizer.tokenToId(END_OF_TEXT);
  const eos = endOfText !== undefined && tokenizer.specialTokens.has(END_OF_TEXT) ? endOfText : null;
  const specials: Record<string, string> = {};
  if (eos !== null) Object.assign(specials, { bos_token: END_OF_TEXT, eos_token: END_OF_TEXT });
  const unk = tokenizer instanceof CharTokenizer ? tokenizer.toJSON().unk : undefined;
  if (unk !== undefined) specials.unk_token = unk;
  return {
    'model.safetensors': saveGPT2(model, { prefix: true }),
    'config.json': json(gpt2ConfigToHuggingFace(model.config, { bosTokenId: eos, eosTokenId: eos })),
    'generation_config.json': json({
      bos_token_id: eos,
      eos_token_id: eos,
      do_sample: true,
      temperature: 0.8,
      top_k: 200,
    }),
    'tokenizer.json': json(tokenizerJSON),
    'tokenizer_config.json': json({
      tokenizer_class: 'PreTrainedTokenizerFast',
      model_max_length: model.config.blockSize,
      clean_up_tokenization_spaces: false,
      ...specials,
    }),
    'special_tokens_map.json': json(specials),
  };
}

/**
 * Writes {@link huggingFaceFiles} into `out` (created if needed), each file atomically and
 * `config.json` last (until it is there, the folder is not taken for a Hugging Face one); everything
 * is computed before the first byte is written.
 * @param from - the folder the model came from, which `out` must not be.
 * @returns the names written.
 * @throws CliError when `out` is `from` or holds a proj checkpoint, or cannot be written.
 */
export async function writeHuggingFaceFolder(
  out: string,
  from: string,
  model: GPT,
  tokenizer: Tokenizer,
): Promise<string[]> {
  const files = huggingFaceFiles(model, tokenizer);
  if (resolve(out) === resolve(from) || (await holdsCheckpoint(out)))
    throw new CliError(`--out ${out} holds a proj checkpoint; write into a folder of its own`);
  const names = Object.keys(files).sort((a, b) => Number(a === 'config.json') - Number(b === 'config.json'));
  try {
    await mkdir(out, { recursive: true });
    for (const name of names) await writeFileAtomic(join(out, name), files[name]!);
  } catch (error) {
    throw new CliError(`cannot write ${out}: ${(error as Error).message}`);
  }
  return names;
}

/** Whether `dir` holds a checkpoint of proj train (read through loadCheckpoint, whatever its layout). */
async function holdsCheckpoint(dir: string): Promise<boolean> {
  try {
    await loadCheckpoint(dir);
    return true;
  } catch (error) {
    if (error instanceof CheckpointError) return false;
    throw error;
  }
}
