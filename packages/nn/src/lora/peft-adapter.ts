import { Generator, loadSafetensors, saveSafetensors, type Tensor } from '@proj/tensor';
import { Dropout } from '../layers/activation.js';
import { GPT } from '../models/gpt.js';
import { type Module, type Parameter, StateDictError } from '../module.js';
import {
  applyLoRA,
  findLoRATargets,
  isBias,
  type LoRABias,
  loraConfigOf,
  loraLayers,
  resolveLoRAConfig,
} from './apply-lora.js';
import { fromPeftConfig, type PeftLoRAConfig, toPeftConfig } from './peft-config.js';

/** Prefix of every key in PEFT's `adapter_model.safetensors` (`PeftModel.base_model.model`). */
const PREFIX = 'base_model.model.';
/** GPT-2's attention buffers (the causal mask), which old `bias="all"` adapters carry as if biases. */
const GPT2_BUFFER = /\.attn\.(bias|masked_bias)$/;

/** Options of {@link saveLoRAAdapter}: what the adapter says about its base model. */
export interface SaveLoRAAdapterOptions {
  /** PEFT's `base_model_name_or_path`: the base model's hub id or path, e.g. `'gpt2'` (default null). */
  baseModelNameOrPath?: string | null;
  /**
   * PEFT's `fan_in_fan_out`: whether the base checkpoint stores these weights `[in, out]`, as
   * GPT-2's Conv1D. Default true for a {@link GPT} (its checkpoints are GPT-2's), else false. The
   * adapter tensors are `[r, in]` and `[out, r]` either way.
   */
  fanInFanOut?: boolean;
  /** PEFT's `task_type` (default `'CAUSAL_LM'` for a GPT, else null). */
  taskType?: string | null;
}

/** Options of {@link loadLoRAAdapter}. */
export interface LoadLoRAAdapterOptions {
  /** Source of the adapters' dropout masks when training goes on (default: the one set by `manualSeed`). */
  generator?: Generator;
}

/** An adapter in PEFT's format: `config` for `adapter_config.json`, `weights` for `adapter_model.safetensors`. */
export interface LoRAAdapterFiles {
  config: PeftLoRAConfig;
  weights: Uint8Array;
}

/**
 * The adapter of a model adapted by `applyLoRA`, in Hugging Face PEFT's format: safetensors
 * (metadata `format: pt`) with `base_model.model.<module path>.lora_A.weight` `[r, in]` and
 * `.lora_B.weight` `[out, r]` per adapted layer, plus the biases `bias` trains
 * (`<path>.base_layer.bias` for adapted layers, as PEFT ≥ 0.7), and the matching config. PEFT loads
 * it with `PeftModel.from_pretrained(GPT2LMHeadModel.from_pretrained(...), dir)` when the model is a
 * GPT of GPT-2's names. Merged adapters are saved as their A and B all the same.
 * @throws Error when `model` was not adapted by `applyLoRA` / `loadLoRAAdapter`.
 * @example const { config, weights } = saveLoRAAdapter(model, { baseModelNameOrPath: 'gpt2' });
 */
export function saveLoRAAdapter(model: Module, options: SaveLoRAAdapterOptions = {}): LoRAAdapterFiles {
  const config = loraConfigOf(model);
  const layers = loraLayers(model);
  const tensors: Record<string, Tensor> = {};
  for (const [path, layer] of layers) {
    tensors[`${PREFIX}${path}.lora_A.weight`] = layer.lora_A.weight.data;
    tensors[`${PREFIX}${path}.lora_B.weight`] = layer.lora_B.weight.data;
  }
  const paths = new Set(layers.map(([path]) => path));
  for (const [key, p] of trainedBiases(model, paths, config.bias)) tensors[PREFIX + key] = p.data;
  const isGPT = model instanceof GPT;
  const peft = toPeftConfig(config, {
    baseModelNameOrPath: options.baseModelNameOrPath ?? null,
    fanInFanOut: options.fanInFanOut ?? isGPT,
    taskType: options.taskType === undefined ? (isGPT ? 'CAUSAL_LM' : null) : options.taskType,
  });
  return { config: peft, weights: saveSafetensors(tensors, { format: 'pt' }) };
}

/**
 * Adapts `model` (a base model without adapters) with a PEFT LoRA adapter: applies `config` (a
 * parsed `adapter_config.json`) as `applyLoRA` would, then loads `weights` (the bytes of
 * `adapter_model.safetensors`, keys with or without `base_model.model.`). Everything is checked
 * before the model changes: a failed load leaves it as it was.
 * @returns `model`, adapted (adapters trainable, everything else frozen, as after `applyLoRA`).
 * @throws StateDictError listing every missing, unexpected and misshaped adapter key at once (an
 *   adapter for another base shape); Error for a config that is not plain LoRA or targets modules
 *   this model lacks.
 * @example loadLoRAAdapter(loadGPT2(base), JSON.parse(configText), adapterBytes);
 */
export function loadLoRAAdapter<M extends Module>(
  model: M,
  config: object,
  weights: Uint8Array,
  options: LoadLoRAAdapterOptions = {},
): M {
  const loraConfig = fromPeftConfig(config);
  const resolved = resolveLoRAConfig(model, loraConfig);
  const targets = findLoRATargets(model, resolved);
  const paths = new Set(targets.map(([path]) => path));
  const file = new Map<string, Tensor>();
  for (const [key, t] of Object.entries(loadSafetensors(weights)))
    file.set(canonicalKey(key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key, paths), t);
  const expected = new Map<string, readonly number[]>();
  for (const [path, linear] of targets) {
    expected.set(`${path}.lora_A.weight`, [resolved.r, linear.inFeatures]);
    expected.set(`${path}.lora_B.weight`, [linear.outFeatures, resolved.r]);
  }
  const biases = trainedBiases(model, paths, resolved.bias);
  for (const [key, p] of biases) expected.set(key, p.shape);
  checkAdapterKeys(file, expected, config);

  // A is overwritten: a private generator leaves the caller's and the default one untouched
  applyLoRA(model, { ...loraConfig, generator: new Generator(0) });
  const copy = (p: Parameter, key: string) => {
    const t = file.get(key)!;
    p.data = t.dtype === p.dtype ? t.clone() : t.to(p.dtype);
  };
  for (const [path, layer] of loraLayers(model)) {
    copy(layer.lora_A.weight, `${path}.lora_A.weight`);
    copy(layer.lora_B.weight, `${path}.lora_B.weight`);
    layer.lora_dropout = new Dropout(layer.lora_dropout.p, options.generator).train(layer.training);
  }
  for (const [key, p] of biases) copy(p, key);
  return model;
}

/**
 * The biases an adapter carries for `bias`, as `[PEFT key, parameter]`: an adapted layer's bias is
 * `<path>.base_layer.bias` in PEFT (its `lora.Linear` wraps the layer as `base_layer`).
 */
function trainedBiases(model: Module, adapted: ReadonlySet<string>, bias: LoRABias): [string, Parameter][] {
  if (bias === 'none') return [];
  const out: [string, Parameter][] = [];
  for (const [name, p] of model.namedParameters()) {
    if (!isBias(name)) continue;
    const path = name.slice(0, -'.bias'.length);
    if (adapted.has(path)) out.push([`${path}.base_layer.bias`, p]);
    else if (bias === 'all') out.push([name, p]);
  }
  return out;
}

/** An adapted layer's bias under PEFT's current name, whichever version wrote it (`<path>.bias` before 0.7). */
function canonicalKey(key: string, adapted: ReadonlySet<string>): string {
  return key.endsWith('.bias') && adapted.has(key.slice(0, -'.bias'.length))
    ? `${key.slice(0, -'.bias'.length)}.base_layer.bias`
    : key;
}

/** @throws StateDictError listing every missing, unexpected and misshaped key of the adapter file. */
function checkAdapterKeys(
  file: Map<string, Tensor>,
  expected: Map<string, readonly number[]>,
  config: object,
): void {
  const missing = [...expected.keys()].filter((k) => !file.has(k));
  const unexpected = [...file.keys()].filter((k) => !expected.has(k) && !GPT2_BUFFER.test(k));
  const misshaped = [...expected]
    .filter(([k, shape]) => file.has(k) && file.get(k)!.shape.join() !== shape.join())
    .map(([k, shape]) => `${k}: expected [${shape.join(', ')}], got [${file.get(k)!.shape.join(', ')}]`);
  const problems = [
    misshaped.length ? `misshaped keys: ${misshaped.join('; ')}` : '',
    missing.length ? `missing keys: ${missing.join(', ')}` : '',
    unexpected.length ? `unexpected keys: ${unexpected.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length === 0) return;
  const base = (config as { base_model_name_or_path?: unknown }).base_model_name_or_path;
  throw new StateDictError(
    `loadLoRAAdapter: the adapter${base ? ` (made for ${JSON.stringify(base)})` : ''} does not fit this model. ${problems.join('. ')}`,
  );
}
