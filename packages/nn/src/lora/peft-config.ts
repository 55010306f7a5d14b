import type { LoRABias, LoRAConfig, ResolvedLoRAConfig } from './apply-lora.js';
import type { ModulePattern } from './target-modules.js';

/**
 * `adapter_config.json` of a Hugging Face PEFT LoRA adapter, as this package writes it: the fields
 * PEFT's `LoraConfig` has had since PEFT 0.10, with PEFT's values for a plain LoRA adapter, so that
 * old and new PEFT versions load it (`PeftModel.from_pretrained`). Keys are PEFT's.
 */
export interface PeftLoRAConfig {
  peft_type: 'LORA';
  /** `'CAUSAL_LM'` for a GPT. */
  task_type: string | null;
  base_model_name_or_path: string | null;
  revision: string | null;
  inference_mode: boolean;
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  target_modules: string[] | string;
  /** Written only when set (PEFT ≥ 0.14 knows it). */
  exclude_modules?: string[] | string;
  bias: LoRABias;
  /** Whether the base model stores these Linear weights `[in, out]` (GPT-2's Conv1D): true for a GPT. */
  fan_in_fan_out: boolean;
  use_rslora: boolean;
  init_lora_weights: boolean;
  use_dora: boolean;
  modules_to_save: null;
  layers_to_transform: null;
  layers_pattern: null;
  rank_pattern: Record<string, never>;
  alpha_pattern: Record<string, never>;
  layer_replication: null;
  megatron_config: null;
  megatron_core: string;
  loftq_config: Record<string, never>;
  auto_mapping: null;
}

/** The PEFT fields of an adapter made by {@link ResolvedLoRAConfig}, plus those that describe the base model. */
export function toPeftConfig(
  config: ResolvedLoRAConfig,
  base: { baseModelNameOrPath: string | null; fanInFanOut: boolean; taskType: string | null },
): PeftLoRAConfig {
  const peft: PeftLoRAConfig = {
    peft_type: 'LORA',
    task_type: base.taskType,
    base_model_name_or_path: base.baseModelNameOrPath,
    revision: null,
    inference_mode: true, // PEFT's save_pretrained writes inference_mode: true
    r: config.r,
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    target_modules: patternToJson(config.targetModules),
    bias: config.bias,
    fan_in_fan_out: base.fanInFanOut,
    use_rslora: config.useRslora,
    init_lora_weights: true,
    use_dora: false,
    modules_to_save: null,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    layer_replication: null,
    megatron_config: null,
    megatron_core: 'megatron.core',
    loftq_config: {},
    auto_mapping: null,
  };
  // older PEFT versions reject fields they do not know, so this one appears only when used
  if (config.excludeModules !== null) peft.exclude_modules = patternToJson(config.excludeModules);
  return peft;
}

function patternToJson(pattern: ModulePattern): string[] | string {
  return typeof pattern === 'string' ? pattern : [...pattern];
}

/** Fields of PEFT's LoraConfig that change what an adapter computes beyond plain LoRA: each must be unset. */
const UNSUPPORTED = [
  ['use_dora', 'DoRA'],
  ['lora_bias', 'a bias in lora_B'],
  ['rank_pattern', 'per-module ranks'],
  ['alpha_pattern', 'per-module alphas'],
  ['modules_to_save', 'fully trained extra modules'],
  ['layers_to_transform', 'adapting only some layers'],
  ['layer_replication', 'replicated layers'],
  ['trainable_token_indices', 'trainable token embeddings'],
  ['target_parameters', 'adapters on parameters'],
  ['alora_invocation_tokens', 'activated LoRA'],
  ['use_qalora', 'QALoRA'],
  ['use_bdlora', 'block-diagonal LoRA'],
] as const;

/** `init_lora_weights` values that only choose the initial A and B; others (PiSSA, OLoRA, LoftQ, …) change the base weights. */
const PLAIN_INITS: readonly unknown[] = [true, false, 'gaussian', 'eva'];

/**
 * The {@link LoRAConfig} of a parsed `adapter_config.json`.
 * @throws Error naming the field that is missing, malformed or asks for more than plain LoRA.
 */
export function fromPeftConfig(json: object): LoRAConfig {
  const c = json as Record<string, unknown>;
  const where = 'loadLoRAAdapter: adapter_config.json';
  const fail = (field: string, problem: string): never => {
    throw new Error(`${where}: ${field} ${problem}`);
  };
  if (c.peft_type !== 'LORA')
    fail('peft_type', `is ${JSON.stringify(c.peft_type)}; only LORA adapters load here`);
  for (const [field, feature] of UNSUPPORTED) {
    if (!isUnset(c[field]))
      fail(field, `= ${JSON.stringify(c[field])} asks for ${feature}, which is not supported`);
  }
  if (!PLAIN_INITS.includes(c.init_lora_weights ?? true))
    fail(
      'init_lora_weights',
      `= ${JSON.stringify(c.init_lora_weights)} changes the base weights; convert the adapter with PEFT's path_initial_model_for_weight_conversion first`,
    );
  const number = (field: string, fallback?: number): number => {
    const value = c[field] ?? fallback;
    return typeof value === 'number'
      ? value
      : fail(field, `must be a number, got ${JSON.stringify(c[field])}`);
  };
  const pattern = (field: string): ModulePattern | undefined => {
    const value = c[field];
    if (value === null || value === undefined) return undefined;
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string')))
      return value as ModulePattern;
    return fail(
      field,
      `must be a list of module names or a regular expression, got ${JSON.stringify(value)}`,
    );
  };
  const bias = c.bias ?? 'none';
  if (bias !== 'none' && bias !== 'all' && bias !== 'lora_only')
    fail('bias', `must be "none", "all" or "lora_only", got ${JSON.stringify(bias)}`);
  return {
    r: number('r'),
    alpha: number('lora_alpha'),
    dropout: number('lora_dropout', 0),
    useRslora: c.use_rslora === true,
    targetModules: pattern('target_modules'),
    excludeModules: pattern('exclude_modules'),
    bias: bias as LoRABias,
  };
}

/** Null, false, or an empty list or object: a PEFT field left at its plain-LoRA default. */
function isUnset(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}
