import type { GPTConfig } from '../models/gpt.js';

/** A `config.json` field that contradicts the model or the weights; the message names the field. */
export class HuggingFaceConfigError extends Error {
  override name = 'HuggingFaceConfigError';
}

/**
 * The `config.json` of a Hugging Face GPT-2 model, as `transformers.GPT2Config` writes it: the fields
 * this package writes and reads (a real file may hold more).
 */
export interface HuggingFaceGPT2Config {
  model_type: 'gpt2';
  architectures: string[];
  vocab_size: number;
  n_positions: number;
  /** The old name of `n_positions`, kept for readers before transformers 4.11. */
  n_ctx: number;
  n_embd: number;
  n_layer: number;
  n_head: number;
  /** MLP width; `null` is `4 * n_embd`. */
  n_inner: number | null;
  /** `gelu` (exact, erf) or `gelu_new` (the tanh approximation of GPT-2). */
  activation_function: 'gelu' | 'gelu_new';
  resid_pdrop: number;
  embd_pdrop: number;
  attn_pdrop: number;
  layer_norm_epsilon: number;
  initializer_range: number;
  scale_attn_weights: true;
  scale_attn_by_inverse_layer_idx: false;
  reorder_and_upcast_attn: false;
  use_cache: true;
  tie_word_embeddings: boolean;
  bos_token_id: number | null;
  eos_token_id: number | null;
  torch_dtype: 'float32' | 'float64';
}

/** Options of {@link gpt2ConfigToHuggingFace}. */
export interface GPT2ConfigExportOptions {
  /** Id of the beginning-of-text token, or null for none (default null). */
  bosTokenId?: number | null;
  /** Id of the end-of-text token, or null for none (default null). */
  eosTokenId?: number | null;
  /** dtype of the weights written beside it (default float32). */
  dtype?: 'float32' | 'float64';
}

/**
 * The `config.json` of a {@link GPT} for Hugging Face `transformers` (`GPT2LMHeadModel`): sizes,
 * `activation_function` `gelu` for exact GELU and `gelu_new` for tanh, `layer_norm_epsilon`, the
 * model's one dropout rate as all three of GPT-2's, `tie_word_embeddings`, and the bos/eos ids
 * (`null` when the tokenizer has none; GPT-2's default 50256 would be wrong for another vocabulary).
 * A model without biases is written with zero biases by `saveGPT2`, so the config needs no flag.
 * @example writeFileSync('out/config.json', JSON.stringify(gpt2ConfigToHuggingFace(model.config), null, 2));
 */
export function gpt2ConfigToHuggingFace(
  config: GPTConfig,
  options: GPT2ConfigExportOptions = {},
): HuggingFaceGPT2Config {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: config.vocabSize,
    n_positions: config.blockSize,
    n_ctx: config.blockSize,
    n_embd: config.nEmbd,
    n_layer: config.nLayer,
    n_head: config.nHead,
    n_inner: null,
    activation_function: config.geluApproximate === 'tanh' ? 'gelu_new' : 'gelu',
    resid_pdrop: config.dropout,
    embd_pdrop: config.dropout,
    attn_pdrop: config.dropout,
    layer_norm_epsilon: config.layerNormEps,
    initializer_range: 0.02,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    use_cache: true,
    tie_word_embeddings: config.tieWordEmbeddings,
    bos_token_id: options.bosTokenId ?? null,
    eos_token_id: options.eosTokenId ?? null,
    torch_dtype: options.dtype ?? 'float32',
  };
}

/** What {@link gpt2ConfigFromHuggingFace} read. */
export interface GPT2ConfigImport {
  /** The model's config; sizes only where the file states them (the weights give the rest). */
  config: Partial<GPTConfig>;
  /** One line per field that was ignored or approximated, for the caller to show. */
  warnings: string[];
  /** `n_inner` when the file sets one (`null`/absent is `4 * n_embd`, the only width supported). */
  nInner: number | null;
}

/** `activation_function` values and the GELU they are. `gelu_fast` and `gelu_pytorch_tanh` are tanh GELU. */
const ACTIVATIONS: Record<string, GPTConfig['geluApproximate']> = {
  gelu: 'none',
  gelu_new: 'tanh',
  gelu_fast: 'tanh',
  gelu_pytorch_tanh: 'tanh',
};

/** Fields read into the config, or checked, or harmless to ignore (training, heads, bookkeeping). */
const KNOWN = new Set([
  ...[
    'model_type',
    'architectures',
    'vocab_size',
    'n_positions',
    'n_ctx',
    'n_embd',
    'n_layer',
    'n_head',
    'n_inner',
    'activation_function',
  ],
  ...['resid_pdrop', 'embd_pdrop', 'attn_pdrop', 'layer_norm_epsilon', 'tie_word_embeddings'],
  ...['scale_attn_weights', 'scale_attn_by_inverse_layer_idx', 'add_cross_attention'],
  ...['initializer_range', 'reorder_and_upcast_attn', 'use_cache', 'torch_dtype', 'dtype'],
  ...['bos_token_id', 'eos_token_id', 'pad_token_id', 'transformers_version', '_name_or_path'],
  ...['summary_type', 'summary_use_proj', 'summary_activation', 'summary_proj_to_labels'],
  ...['summary_first_dropout', 'task_specific_params'],
]);

/**
 * Reads a Hugging Face GPT-2 `config.json` (text or parsed) into a {@link GPTConfig}, with
 * `GPT2Config`'s defaults for absent fields (12 heads, `gelu_new`, eps 1e-5, dropout 0.1, tied head)
 * and the sizes it states. Unknown fields are ignored with a warning; a field this package cannot
 * honour is an error that names it.
 * @throws HuggingFaceConfigError for bad JSON, a wrong type, `model_type` other than gpt2, an
 * unsupported `activation_function`, `n_head` not dividing `n_embd`, or attention variants
 * (`scale_attn_weights: false`, `scale_attn_by_inverse_layer_idx`, `add_cross_attention`).
 */
export function gpt2ConfigFromHuggingFace(json: string | Record<string, unknown>): GPT2ConfigImport {
  const parsed = typeof json === 'string' ? parseJSON(json) : json;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new HuggingFaceConfigError('config.json must hold a JSON object');
  const c = parsed as Record<string, unknown>;
  const warnings = Object.keys(c)
    .filter((key) => !KNOWN.has(key))
    .map((key) => `config.json: ignored unknown field ${key}`);
  if (c.model_type !== undefined && c.model_type !== 'gpt2')
    fail('model_type', c.model_type, 'is not "gpt2"');
  const config: Partial<GPTConfig> = {};
  const sizes = { vocab_size: 'vocabSize', n_positions: 'blockSize', n_embd: 'nEmbd', n_layer: 'nLayer' };
  for (const [field, key] of Object.entries(sizes) as [string, 'vocabSize'][]) {
    if (c[field] !== undefined) config[key] = positiveInteger(c, field);
  }
  config.nHead = c.n_head === undefined ? 12 : positiveInteger(c, 'n_head');
  if (config.nEmbd !== undefined && config.nEmbd % config.nHead !== 0)
    fail('n_head', config.nHead, `does not divide n_embd ${config.nEmbd}`);
  const activation = c.activation_function ?? 'gelu_new';
  const gelu = typeof activation === 'string' ? ACTIVATIONS[activation] : undefined;
  if (!gelu)
    fail('activation_function', activation, `is not supported (${Object.keys(ACTIVATIONS).join(', ')})`);
  config.geluApproximate = gelu;
  config.layerNormEps = c.layer_norm_epsilon === undefined ? 1e-5 : positiveNumber(c, 'layer_norm_epsilon');
  const [resid, embd, attn] = ['resid_pdrop', 'embd_pdrop', 'attn_pdrop'].map((f) => probability(c, f));
  if (resid !== embd || resid !== attn)
    warnings.push(
      `config.json: one dropout rate for everything, resid_pdrop ${resid} (embd_pdrop ${embd} and attn_pdrop ${attn} differ)`,
    );
  config.dropout = resid;
  config.tieWordEmbeddings = flag(c, 'tie_word_embeddings', true);
  if (!flag(c, 'scale_attn_weights', true)) fail('scale_attn_weights', false, 'is not supported');
  if (flag(c, 'scale_attn_by_inverse_layer_idx', false))
    fail('scale_attn_by_inverse_layer_idx', true, 'is not supported');
  if (flag(c, 'add_cross_attention', false)) fail('add_cross_attention', true, 'is not supported');
  const nInner = c.n_inner === undefined || c.n_inner === null ? null : positiveInteger(c, 'n_inner');
  return { config, warnings, nInner };
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HuggingFaceConfigError(`config.json is not valid JSON (${(error as Error).message})`);
  }
}

function fail(field: string, value: unknown, why: string): never {
  throw new HuggingFaceConfigError(`config.json: ${field} ${JSON.stringify(value)} ${why}`);
}

function positiveInteger(c: Record<string, unknown>, field: string): number {
  const v = c[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
    fail(field, v, 'must be a positive integer');
  return v;
}

function positiveNumber(c: Record<string, unknown>, field: string): number {
  const v = c[field];
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) fail(field, v, 'must be a positive number');
  return v;
}

/** A dropout rate in [0, 1); absent is GPT2Config's 0.1. */
function probability(c: Record<string, unknown>, field: string): number {
  const v = c[field] ?? 0.1;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) fail(field, v, 'must be a number in [0, 1)');
  return v;
}

function flag(c: Record<string, unknown>, field: string, byDefault: boolean): boolean {
  const v = c[field] ?? byDefault;
  if (typeof v !== 'boolean') fail(field, v, 'must be true or false');
  return v;
}
