import { Generator, loadSafetensors, saveSafetensors, type Tensor, zeros } from '@proj/tensor';
import { GPT, GPT_DEFAULTS, type GPTConfig } from '../models/gpt.js';
import { StateDictError } from '../module.js';
import { checkGPT2Header, readGPT2Header } from './gpt2-layout.js';

/** Options of {@link loadGPT2}. */
export interface LoadGPT2Options {
  /** Parameter dtype (default float32; f16/bf16 checkpoints are widened). */
  dtype?: 'float32' | 'float64';
}

/** Linear weights that GPT-2's checkpoints store as Conv1D `[in, out]` (ours are `[out, in]`). */
const CONV1D = /\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;

/** GPT-2's own settings, where a checkpoint's shapes say nothing. */
const GPT2_SETTINGS = { dropout: 0, bias: true, geluApproximate: 'tanh', layerNormEps: 1e-5 } as const;

/**
 * Builds a {@link GPT} from a checkpoint in the Hugging Face GPT-2 layout (`GPT2Model` or
 * `GPT2LMHeadModel` safetensors: `wte.weight`, `wpe.weight`, `h.N.ln_1`, `h.N.attn.c_attn`,
 * `h.N.attn.c_proj`, `h.N.ln_2`, `h.N.mlp.c_fc`, `h.N.mlp.c_proj`, `ln_f`, optionally under
 * `transformer.`, and optionally `lm_head.weight`). Conv1D weights `[in, out]` are transposed to
 * Linear `[out, in]`; the `attn.bias`/`attn.masked_bias` buffers are ignored.
 *
 * The config comes from the tensor shapes (`vocabSize`, `nEmbd` from `wte`, `blockSize` from `wpe`,
 * `nLayer` from the blocks `h.0`, `h.1`, … up to the first gap) with GPT-2's `bias: true`, tanh GELU,
 * eps 1e-5 and dropout 0; `config` overrides any of it. The head count is not in the shapes: give
 * `config.nHead`, or it defaults to `nEmbd / 64` as in every GPT-2 size (12, 16, 20, 25 heads).
 * An `lm_head.weight` equal to `wte.weight` is the tied head; one that differs makes an untied
 * model (`tieWordEmbeddings: false`), unless `config.tieWordEmbeddings` is true, which is an error.
 * Every name and shape is checked against the header before anything is allocated.
 * For a Hugging Face folder with its `config.json`, use {@link loadGPT2Pretrained}.
 * Users download the weights themselves (e.g. `gpt2/model.safetensors`); nothing is fetched.
 * @example const model = loadGPT2(readFileSync('model.safetensors')).eval();
 * @throws StateDictError listing missing, unexpected or misshaped tensors; SafetensorsError for bad bytes.
 */
export function loadGPT2(
  bytes: Uint8Array,
  config: Partial<GPTConfig> = {},
  options: LoadGPT2Options = {},
): GPT {
  const header = readGPT2Header(bytes);
  const [wte, wpe] = [header.shapes.get('wte.weight'), header.shapes.get('wpe.weight')];
  if (!isMatrix(wte) || !isMatrix(wpe))
    throw new StateDictError(
      `loadGPT2: need 2-d wte.weight and wpe.weight to read the config, found keys ${[...header.keys.values()].slice(0, 8).join(', ')}…`,
    );
  const nEmbd = config.nEmbd ?? wte[1];
  if (config.nHead === undefined && nEmbd % 64 !== 0)
    throw new RangeError(
      `loadGPT2: nHead cannot be read from the tensor shapes and nEmbd ${nEmbd} is not a multiple of GPT-2's head size 64; pass config.nHead`,
    );
  const hasHead = header.shapes.has('lm_head.weight');
  const full: GPTConfig = {
    ...GPT_DEFAULTS,
    ...GPT2_SETTINGS,
    vocabSize: wte[0],
    blockSize: wpe[0],
    nLayer: header.layers,
    nHead: nEmbd / 64,
    nEmbd,
    ...config,
    // settled below from the data when the config leaves it open
    tieWordEmbeddings: config.tieWordEmbeddings ?? true,
  };
  checkGPT2Header(header, full);
  const tensors = loadSafetensors(bytes);
  const tensor = (name: string): Tensor => tensors[header.keys.get(name)!]!;
  if (hasHead) {
    const tied = sameValues(tensor('lm_head.weight'), tensor('wte.weight'));
    if (!tied && config.tieWordEmbeddings === true)
      throw new StateDictError(
        'loadGPT2: lm_head.weight differs from wte.weight, but the config ties them (tieWordEmbeddings: true); leave it unset or false to load an untied head',
      );
    full.tieWordEmbeddings = config.tieWordEmbeddings ?? tied;
  }
  const model = new GPT(
    full,
    // the random init is overwritten; a private generator leaves the default one untouched
    { generator: new Generator(0), ...(options.dtype ? { dtype: options.dtype } : {}) },
  );
  const record: Record<string, Tensor> = {};
  for (const name of header.shapes.keys()) {
    if (name === 'lm_head.weight' && full.tieWordEmbeddings) continue;
    const t = tensor(name);
    const ours = name === 'lm_head.weight' ? name : `transformer.${name}`;
    record[ours] = CONV1D.test(name) ? t.transpose(0, 1) : t;
  }
  model.loadStateDict(record, { strict: false }); // names checked above; a tied head is wte itself
  return model;
}

function isMatrix(shape: unknown): shape is [number, number] {
  return Array.isArray(shape) && shape.length === 2 && shape.every((d) => Number.isInteger(d) && d > 0);
}

function sameValues(a: Tensor, b: Tensor): boolean {
  const [x, y] = [a.data(), b.data()];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Options of {@link saveGPT2}. */
export interface SaveGPT2Options {
  /** Write keys under `transformer.` as `GPT2LMHeadModel` does (default false: `GPT2Model`'s bare keys). */
  prefix?: boolean;
}

/**
 * Writes a {@link GPT} as safetensors in the Hugging Face GPT-2 layout, the reverse of
 * {@link loadGPT2}: Linear weights transposed to Conv1D `[in, out]`, `lm_head.weight` only for an
 * untied head, metadata `format: pt`. A model built with `bias: false` gets zero biases, which compute
 * the same function. The file holds no config: GPT-2 readers assume tanh GELU and `nHead = nEmbd / 64`,
 * so write a `config.json` beside it ({@link gpt2ConfigToHuggingFace}) when that is not the model.
 */
export function saveGPT2(model: GPT, options: SaveGPT2Options = {}): Uint8Array {
  const prefix = options.prefix ? 'transformer.' : '';
  const out: Record<string, Tensor> = {};
  const { nEmbd } = model.config;
  const put = (name: string, t: Tensor) => {
    out[prefix + name] = CONV1D.test(name) ? t.transpose(0, 1).contiguous() : t;
  };
  const dtype = model.transformer.wte.weight.dtype;
  const zeroBias = (n: number) => zeros([n], { dtype });
  put('wte.weight', model.transformer.wte.weight.data);
  put('wpe.weight', model.transformer.wpe.weight.data);
  model.transformer.h.forEach((block, i) => {
    const modules = {
      ln_1: block.ln_1,
      'attn.c_attn': block.attn.c_attn,
      'attn.c_proj': block.attn.c_proj,
      ln_2: block.ln_2,
      'mlp.c_fc': block.mlp.c_fc,
      'mlp.c_proj': block.mlp.c_proj,
    };
    for (const [name, m] of Object.entries(modules)) {
      const width = 'outFeatures' in m ? m.outFeatures : nEmbd;
      put(`h.${i}.${name}.weight`, m.weight!.data);
      put(`h.${i}.${name}.bias`, m.bias?.data ?? zeroBias(width));
    }
  });
  put('ln_f.weight', model.transformer.ln_f.weight!.data);
  put('ln_f.bias', model.transformer.ln_f.bias?.data ?? zeroBias(nEmbd));
  if (!model.config.tieWordEmbeddings) out['lm_head.weight'] = model.lm_head.weight.data;
  return saveSafetensors(out, { format: 'pt' });
}
