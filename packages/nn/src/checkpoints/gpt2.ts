import { Generator, loadSafetensors, saveSafetensors, type Tensor, zeros } from '@proj/tensor';
import { GPT, type GPTConfig } from '../models/gpt.js';
import { StateDictError } from '../module.js';

/** Options of {@link loadGPT2}. */
export interface LoadGPT2Options {
  /** Parameter dtype (default float32; f16/bf16 checkpoints are widened). */
  dtype?: 'float32' | 'float64';
}

/** Linear weights that GPT-2's checkpoints store as Conv1D `[in, out]` (ours are `[out, in]`). */
const CONV1D = /\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;
/** Buffers of older checkpoints (the causal mask and the masked score), not parameters. */
const BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;

/**
 * Builds a {@link GPT} from a checkpoint in the Hugging Face GPT-2 layout (`GPT2Model` or
 * `GPT2LMHeadModel` safetensors: `wte.weight`, `wpe.weight`, `h.N.ln_1`, `h.N.attn.c_attn`,
 * `h.N.attn.c_proj`, `h.N.ln_2`, `h.N.mlp.c_fc`, `h.N.mlp.c_proj`, `ln_f`, optionally under
 * `transformer.`). Conv1D weights `[in, out]` are transposed to Linear `[out, in]`; the
 * `attn.bias`/`attn.masked_bias` buffers are ignored, and an `lm_head.weight` is accepted only as
 * the tied copy of `wte`.
 *
 * The config comes from the tensor shapes (`vocabSize`, `nEmbd` from `wte`, `blockSize` from `wpe`,
 * `nLayer` from the block count) with GPT-2's `bias: true`, tanh GELU, eps 1e-5 and dropout 0;
 * `config` overrides any of it. The head count is not in the shapes: give `config.nHead`, or it
 * defaults to `nEmbd / 64` as in every GPT-2 size (12, 16, 20, 25 heads).
 * Users download the weights themselves (e.g. `gpt2/model.safetensors`); nothing is fetched.
 * @example const model = loadGPT2(readFileSync('model.safetensors')).eval();
 * @throws StateDictError listing every missing, unexpected or misshaped tensor; SafetensorsError for bad bytes.
 */
export function loadGPT2(
  bytes: Uint8Array,
  config: Partial<GPTConfig> = {},
  options: LoadGPT2Options = {},
): GPT {
  const file = loadSafetensors(bytes);
  const tensors: Record<string, Tensor> = {};
  for (const [key, t] of Object.entries(file)) {
    const name = key.startsWith('transformer.') ? key.slice('transformer.'.length) : key;
    if (!BUFFER.test(name)) tensors[name] = t;
  }
  const wte = tensors['wte.weight'];
  const wpe = tensors['wpe.weight'];
  if (!wte || !wpe || wte.ndim !== 2 || wpe.ndim !== 2)
    throw new StateDictError(
      `loadGPT2: need 2-d wte.weight and wpe.weight to read the config, found keys ${Object.keys(file).slice(0, 8).join(', ')}…`,
    );
  const nEmbd = config.nEmbd ?? wte.shape[1]!;
  const blocks = Object.keys(tensors).map((k) => /^h\.(\d+)\./.exec(k)?.[1]);
  const nLayer = config.nLayer ?? Math.max(-1, ...blocks.map((n) => (n === undefined ? -1 : Number(n)))) + 1;
  if (config.nHead === undefined && nEmbd % 64 !== 0)
    throw new RangeError(
      `loadGPT2: nHead cannot be read from the tensor shapes and nEmbd ${nEmbd} is not a multiple of GPT-2's head size 64; pass config.nHead`,
    );
  const model = new GPT(
    {
      vocabSize: wte.shape[0]!,
      blockSize: wpe.shape[0]!,
      nLayer,
      nHead: nEmbd / 64,
      nEmbd,
      dropout: 0,
      bias: true,
      geluApproximate: 'tanh',
      ...config,
    },
    // the random init is overwritten; a private generator leaves the default one untouched
    { generator: new Generator(0), ...(options.dtype ? { dtype: options.dtype } : {}) },
  );
  const head = tensors['lm_head.weight'];
  delete tensors['lm_head.weight'];
  if (head && head.shape.join() !== wte.shape.join())
    throw new StateDictError(
      `loadGPT2: lm_head.weight [${head.shape.join(', ')}] must be tied to wte.weight [${wte.shape.join(', ')}]`,
    );
  const record: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(tensors))
    record[`transformer.${name}`] = CONV1D.test(name) && t.ndim === 2 ? t.transpose(0, 1) : t;
  const expected = new Set(model.namedParameters().map(([name]) => name));
  const missing = [...expected].filter((k) => !(k in record));
  const unexpected = Object.keys(record).filter((k) => !expected.has(k));
  if (missing.length || unexpected.length) {
    const strip = (k: string) => k.slice('transformer.'.length);
    throw new StateDictError(
      `loadGPT2: ${[
        missing.length ? `missing keys: ${missing.map(strip).join(', ')}` : '',
        unexpected.length ? `unexpected keys: ${unexpected.map(strip).join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('. ')}`,
    );
  }
  model.loadStateDict(record, { strict: false });
  return model;
}

/** Options of {@link saveGPT2}. */
export interface SaveGPT2Options {
  /** Write keys under `transformer.` as `GPT2LMHeadModel` does (default false: `GPT2Model`'s bare keys). */
  prefix?: boolean;
}

/**
 * Writes a {@link GPT} as safetensors in the Hugging Face GPT-2 layout, the reverse of
 * {@link loadGPT2}: Linear weights transposed to Conv1D `[in, out]`, no `lm_head.weight` (tied to
 * `wte`), metadata `format: pt`. A model built with `bias: false` gets zero biases, which compute the
 * same function. The file holds no config: GPT-2 readers assume tanh GELU and `nHead = nEmbd / 64`.
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
  return saveSafetensors(out, { format: 'pt' });
}
