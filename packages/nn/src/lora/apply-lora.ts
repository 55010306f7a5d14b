import { GPTRewardModel } from '../heads/gpt-reward-model.js';
import { Linear } from '../layers/linear.js';
import { GPT } from '../models/gpt.js';
import type { Module, Parameter } from '../module.js';
import { type LoRALayerOptions, LoRALinear } from './lora-linear.js';
import { describePattern, type ModulePattern, matchesModulePattern } from './target-modules.js';

/** Which biases train along with the adapters, as PEFT's `bias`: none, every `*.bias`, or those of the adapted layers. */
export type LoRABias = 'none' | 'all' | 'lora_only';

/** Options of {@link applyLoRA}, PEFT's `LoraConfig` in camelCase, with its defaults. */
export interface LoRAConfig extends Partial<LoRALayerOptions> {
  /** Rank of each update `B·A` (PEFT's `r`, default 8). */
  r?: number;
  /** Scale numerator: updates are multiplied by `alpha / r` (PEFT's `lora_alpha`, default 8). */
  alpha?: number;
  /**
   * Modules to adapt (PEFT's `target_modules`; see {@link ModulePattern}). Default for a {@link GPT}
   * (and a `GPTRewardModel`):
   * `['c_attn']`, PEFT's default for GPT-2; required for other models.
   */
  targetModules?: ModulePattern;
  /** Modules never adapted, matched the same way (PEFT's `exclude_modules`). */
  excludeModules?: ModulePattern;
  /** Biases trained with the adapters (default `'none'`). */
  bias?: LoRABias;
}

/** The config a model was adapted with, every default filled in. */
export interface ResolvedLoRAConfig {
  r: number;
  alpha: number;
  dropout: number;
  useRslora: boolean;
  targetModules: ModulePattern;
  excludeModules: ModulePattern | null;
  bias: LoRABias;
}

/** What {@link applyLoRA} changed, kept so that {@link unloadLoRA} can undo it. */
interface Adaptation {
  config: ResolvedLoRAConfig;
  /** Every parameter's `requiresGrad` before freezing. */
  requiresGrad: Map<Parameter, boolean>;
}

const adaptations = new WeakMap<Module, Adaptation>();

/**
 * Adds a LoRA adapter to every targeted {@link Linear} of `model` (in place, as PEFT's
 * `get_peft_model`) and freezes everything else: each target is replaced by a {@link LoRALinear}
 * sharing its parameters, then every parameter gets `requiresGrad = false` except `lora_A`/`lora_B`
 * and the biases `config.bias` names. Outputs are unchanged until the adapters train (B starts at 0).
 * Module paths are those of `namedModules()`; for a {@link GPT} they are Hugging Face
 * `GPT2LMHeadModel`'s (`transformer.h.0.attn.c_attn`, …), so PEFT configs for GPT-2 apply as is.
 *
 * @returns `model`, adapted.
 * @throws Error when no module matches (listing the model's Linear layers), when a match is not a
 *   Linear, or when the model already has adapters; RangeError for a bad `r`, `alpha`, `dropout` or `bias`.
 * @example applyLoRA(model, { r: 8, alpha: 16, dropout: 0.05, targetModules: ['c_attn', 'c_proj'] });
 */
export function applyLoRA<M extends Module>(model: M, config: LoRAConfig = {}): M {
  const resolved = resolveLoRAConfig(model, config);
  const targets = findLoRATargets(model, resolved);
  const requiresGrad = new Map(model.parameters().map((p) => [p, p.requiresGrad] as const));
  const wrapped = new Map<Linear, LoRALinear>(); // a Linear reachable by two paths stays shared
  for (const [path, base] of targets) {
    const layer = wrapped.get(base) ?? new LoRALinear(base, { ...resolved, generator: config.generator });
    wrapped.set(base, layer);
    replaceModule(model, path, layer);
  }
  for (const p of model.parameters()) p.requiresGrad = false;
  for (const layer of wrapped.values()) {
    layer.lora_A.weight.requiresGrad = true;
    layer.lora_B.weight.requiresGrad = true;
    if (resolved.bias === 'lora_only' && layer.bias) layer.bias.requiresGrad = true;
  }
  if (resolved.bias === 'all') {
    for (const [name, p] of model.namedParameters()) if (isBias(name)) p.requiresGrad = true;
  }
  adaptations.set(model, { config: resolved, requiresGrad });
  return model;
}

/** Whether a parameter name is a bias, as PEFT's `bias="all"` decides (`bias` or `*.bias`). */
export function isBias(name: string): boolean {
  return name === 'bias' || name.endsWith('.bias');
}

/**
 * Validates `config` and fills in PEFT's defaults.
 * @throws RangeError naming the bad field.
 */
export function resolveLoRAConfig(model: Module, config: LoRAConfig): ResolvedLoRAConfig {
  // PEFT's defaults: r 8, lora_alpha 8, no dropout, no rsLoRA, no trained biases
  const { r = 8, alpha = 8, dropout = 0, useRslora = false, bias = 'none', excludeModules = null } = config;
  if (!(Number.isInteger(r) && r > 0))
    throw new RangeError(`applyLoRA: r must be a positive integer, got ${r}`);
  if (!Number.isFinite(alpha)) throw new RangeError(`applyLoRA: alpha must be a finite number, got ${alpha}`);
  if (!(dropout >= 0 && dropout < 1))
    throw new RangeError(`applyLoRA: dropout must be in [0, 1), got ${dropout}`);
  if (!['none', 'all', 'lora_only'].includes(bias))
    throw new RangeError(`applyLoRA: bias must be 'none', 'all' or 'lora_only', got '${bias}'`);
  const gptLike = model instanceof GPT || model instanceof GPTRewardModel;
  const targetModules = config.targetModules ?? (gptLike ? ['c_attn'] : undefined);
  if (targetModules === undefined)
    throw new RangeError(`applyLoRA: targetModules is required for a ${model.constructor.name}`);
  return { r, alpha, dropout, useRslora, targetModules, excludeModules, bias };
}

/**
 * The Linear layers `config` targets, with their paths, in `namedModules()` order (PEFT's order).
 * @throws Error when nothing matches, a match is not a Linear, or the model already has adapters.
 */
export function findLoRATargets(
  model: Module,
  config: Pick<ResolvedLoRAConfig, 'targetModules' | 'excludeModules'>,
): [string, Linear][] {
  const modules = model.namedModules().filter(([path]) => path !== '');
  const adapted = modules.filter(([, m]) => m instanceof LoRALinear).map(([path]) => path);
  if (adapted.length > 0)
    throw new Error(
      `applyLoRA: the model already has LoRA adapters (${adapted.join(', ')}); one adapter per model: unloadLoRA or mergeAndUnloadLoRA first`,
    );
  const { targetModules, excludeModules } = config;
  const matched = modules.filter(([path]) => matchesModulePattern(path, targetModules));
  const kept = matched.filter(([path]) => !excludeModules || !matchesModulePattern(path, excludeModules));
  const wanted = `target modules ${describePattern(targetModules)}`;
  if (kept.length === 0) {
    const linears = modules
      .filter(([, m]) => m instanceof Linear)
      .map(([path]) => path.replace(/\.\d+\./g, '.<i>.'));
    throw new Error(
      matched.length > 0
        ? `applyLoRA: every module matching ${wanted} is excluded by ${describePattern(excludeModules!)}`
        : `applyLoRA: ${wanted} match no module of this ${model.constructor.name}; its Linear layers are ${[...new Set(linears)].join(', ') || '(none)'}`,
    );
  }
  const others = kept.filter(([, m]) => !(m instanceof Linear));
  if (others.length > 0)
    throw new Error(
      `applyLoRA: ${wanted} match modules that are not Linear layers: ${others.map(([path, m]) => `${path} (${m.constructor.name})`).join(', ')}; LoRA adapts Linear layers only`,
    );
  return kept as [string, Linear][];
}

/** Every adapted layer of `model` with its path, in `namedModules()` order. */
export function loraLayers(model: Module): [string, LoRALinear][] {
  return model
    .namedModules()
    .filter((entry): entry is [string, LoRALinear] => entry[1] instanceof LoRALinear);
}

/**
 * The config `model` was adapted with by {@link applyLoRA}.
 * @throws Error when `model` is not the module `applyLoRA` adapted.
 */
export function loraConfigOf(model: Module): ResolvedLoRAConfig {
  const adaptation = adaptations.get(model);
  if (!adaptation)
    throw new Error(
      `LoRA: this ${model.constructor.name} was not adapted by applyLoRA (pass the model given to applyLoRA or loadLoRAAdapter)`,
    );
  return adaptation.config;
}

/**
 * Removes every adapter without merging it, as PEFT's `unload()`: each {@link LoRALinear} becomes a
 * plain {@link Linear} holding the base weights (unmerged first if merged), and every parameter's
 * `requiresGrad` is restored to what it was before {@link applyLoRA}.
 * @returns `model`, without adapters.
 */
export function unloadLoRA<M extends Module>(model: M): M {
  return removeAdapters(model, { keepMerged: false });
}

/**
 * Replaces each {@link LoRALinear} by a plain Linear sharing its base parameters, with merged
 * updates kept in the weights (`keepMerged`) or taken out, and restores `requiresGrad`.
 */
export function removeAdapters<M extends Module>(model: M, options: { keepMerged: boolean }): M {
  for (const [path, layer] of loraLayers(model)) {
    if (!options.keepMerged) layer.unmerge();
    const plain = new Linear(layer.inFeatures, layer.outFeatures, { parameters: layer });
    replaceModule(model, path, plain.train(layer.training));
  }
  const adaptation = adaptations.get(model);
  if (adaptation) for (const [p, flag] of adaptation.requiresGrad) p.requiresGrad = flag;
  adaptations.delete(model);
  return model;
}

/**
 * Puts `module` at `path` in place of the module there: wherever its parent holds that module (a
 * field, an array entry as a module list or `Sequential` has, a map or record entry).
 * @throws Error when the parent holds it somewhere this cannot set.
 */
export function replaceModule(root: Module, path: string, module: Module): void {
  for (const [parentPath, parent] of root.namedModules()) {
    for (const [name, old] of parent.namedChildren()) {
      if ((parentPath ? `${parentPath}.${name}` : name) !== path) continue;
      const replaced = replaceValue(parent as unknown as Record<string, unknown>, old, module);
      if (!replaced || !parent.namedChildren().some(([n, m]) => n === name && m === module))
        throw new Error(
          `LoRA: cannot replace the module at ${path} (its ${parent.constructor.name} holds it where fields cannot set)`,
        );
      return;
    }
  }
}

/** Replaces `old` by `value` in the first field of `owner` that holds it (directly or as an entry). */
function replaceValue(owner: Record<string, unknown>, old: Module, value: Module): boolean {
  for (const [key, held] of Object.entries(owner)) {
    if (held === old) {
      owner[key] = value;
      return true;
    }
    if (Array.isArray(held) && held.includes(old)) {
      held[held.indexOf(old)] = value;
      return true;
    }
    if (held instanceof Map) {
      for (const [k, v] of held) if (v === old) return Boolean(held.set(k, value));
    } else if (
      held !== null &&
      typeof held === 'object' &&
      Object.getPrototypeOf(held) === Object.prototype
    ) {
      if (replaceValue(held as Record<string, unknown>, old, value)) return true;
    }
  }
  return false;
}
