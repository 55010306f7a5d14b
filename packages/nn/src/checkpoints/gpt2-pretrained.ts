import type { GPT } from '../models/gpt.js';
import { type LoadGPT2Options, loadGPT2 } from './gpt2.js';
import { gpt2ConfigFromHuggingFace, HuggingFaceConfigError } from './gpt2-config.js';
import { readGPT2Header } from './gpt2-layout.js';

/** The files of a Hugging Face GPT-2 folder that {@link loadGPT2Pretrained} reads. */
export interface GPT2PretrainedFiles {
  /** `model.safetensors`. */
  weights: Uint8Array;
  /** `config.json`, as text or parsed. */
  config: string | Record<string, unknown>;
}

/** What {@link loadGPT2Pretrained} returns. */
export interface GPT2Pretrained {
  model: GPT;
  /** Fields of `config.json` that were ignored or approximated, one line each (libraries don't print). */
  warnings: string[];
}

/**
 * Loads a Hugging Face GPT-2 folder's `model.safetensors` with its `config.json`, as
 * `GPT2LMHeadModel.from_pretrained(dir)` does: head count, GELU form, epsilon, dropout and head tying
 * come from the config (see {@link gpt2ConfigFromHuggingFace}), and every size it states must match
 * the weights. Nothing is allocated before the config and the weights' header agree.
 * @example
 * const { model, warnings } = loadGPT2Pretrained({
 *   weights: readFileSync('gpt2/model.safetensors'),
 *   config: readFileSync('gpt2/config.json', 'utf8'),
 * });
 * @throws HuggingFaceConfigError naming the field that contradicts the weights (`vocab_size`,
 * `n_positions`, `n_embd`, `n_layer`, `n_head`, `n_inner`, …); StateDictError for missing,
 * unexpected or misshaped tensors; SafetensorsError for bad bytes.
 */
export function loadGPT2Pretrained(
  files: GPT2PretrainedFiles,
  options: LoadGPT2Options = {},
): GPT2Pretrained {
  const { config, warnings, nInner } = gpt2ConfigFromHuggingFace(files.config);
  const header = readGPT2Header(files.weights);
  const [wte, wpe] = [header.shapes.get('wte.weight'), header.shapes.get('wpe.weight')];
  const stated = (field: string, value: number | undefined, actual: unknown, what: string) => {
    if (value !== undefined && typeof actual === 'number' && value !== actual)
      throw new HuggingFaceConfigError(
        `config.json: ${field} ${value} does not match the weights, whose ${what} is ${actual}`,
      );
  };
  const [vocab, width] = Array.isArray(wte) ? wte : [];
  stated('vocab_size', config.vocabSize, vocab, 'wte.weight row count');
  stated('n_embd', config.nEmbd, width, 'wte.weight width');
  stated('n_positions', config.blockSize, Array.isArray(wpe) ? wpe[0] : undefined, 'wpe.weight row count');
  stated('n_layer', config.nLayer, header.layers, 'block count (h.0 … h.N)');
  const nEmbd = config.nEmbd ?? width;
  if (typeof nEmbd === 'number') {
    if (nEmbd % config.nHead! !== 0)
      throw new HuggingFaceConfigError(`config.json: n_head ${config.nHead} does not divide n_embd ${nEmbd}`);
    if (nInner !== null && nInner !== 4 * nEmbd)
      throw new HuggingFaceConfigError(
        `config.json: n_inner ${nInner} is not supported (the MLP is 4 * n_embd = ${4 * nEmbd} wide)`,
      );
  }
  return { model: loadGPT2(files.weights, config, options), warnings };
}
