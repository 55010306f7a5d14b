import type { Tensor } from '@proj/tensor';
import type { Module } from '../module.js';
import { loraLayers, removeAdapters } from './apply-lora.js';
import type { LoRALinear } from './lora-linear.js';

/** The adapted layers of `model`. @throws Error naming `op` when there are none. */
function adaptedLayers(model: Module, op: string): [string, LoRALinear][] {
  const layers = loraLayers(model);
  if (layers.length === 0)
    throw new Error(
      `${op}: this ${model.constructor.name} has no LoRA adapters (applyLoRA or loadLoRAAdapter first)`,
    );
  return layers;
}

/**
 * Adds every adapter's update into its base weight (`W += scaling·B·A`, PEFT's `merge_adapter`), so
 * forward costs what the base model costs; layers already merged are left alone. Training a merged
 * model trains nothing (the adapters are skipped): unmerge first.
 * @throws Error when the model has no adapters, an adapter is disabled, or an adapted weight is tied
 *   to another parameter (merging would change that one too, e.g. a GPT's `lm_head` and `wte`).
 */
export function mergeLoRA(model: Module): void {
  const layers = adaptedLayers(model, 'mergeLoRA').filter(([, layer]) => !layer.merged);
  const names = new Map<Tensor, string[]>();
  for (const [name, t] of Object.entries(model.stateDict())) names.set(t, [...(names.get(t) ?? []), name]);
  for (const [path, layer] of layers) {
    if (!layer.adapterEnabled)
      throw new Error(
        `mergeLoRA: the adapter of ${path} is disabled; enable it (setAdaptersEnabled) before merging`,
      );
    const tied = (names.get(layer.weight.data) ?? []).filter((name) => name !== `${path}.weight`);
    if (tied.length > 0)
      throw new Error(
        `mergeLoRA: ${path}.weight is tied to ${tied.join(', ')}; merging would change that too (keep this adapter unmerged)`,
      );
  }
  for (const [, layer] of layers) layer.merge();
}

/**
 * Takes every merged update back out of its base weight (`W −= scaling·B·A`, PEFT's
 * `unmerge_adapter`): the weights are the base weights again up to float rounding.
 * @throws Error when the model has no adapters.
 */
export function unmergeLoRA(model: Module): void {
  for (const [, layer] of adaptedLayers(model, 'unmergeLoRA')) layer.unmerge();
}

/**
 * Switches every adapter on or off: disabled, each adapted layer computes its base layer alone
 * (merged updates are unmerged first, as PEFT's `disable_adapter_layers`).
 * @throws Error when the model has no adapters.
 */
export function setAdaptersEnabled(model: Module, enabled: boolean): void {
  for (const [, layer] of adaptedLayers(model, 'setAdaptersEnabled')) {
    if (!enabled) layer.unmerge();
    layer.adapterEnabled = enabled;
  }
}

/**
 * Runs `fn` with every adapter disabled, then restores each adapter's state (enabled, merged), as
 * PEFT's `with model.disable_adapter():`. DPO uses it to get the reference model's outputs from the
 * policy's own base weights, without a second model. When `fn` returns a promise the adapters stay
 * disabled until it settles.
 * @returns what `fn` returns.
 * @throws Error when the model has no adapters; rethrows what `fn` throws (after restoring).
 * @example const ref = withAdaptersDisabled(model, () => noGrad(() => model.forward(ids).logits));
 */
export function withAdaptersDisabled<T>(model: Module, fn: () => T): T {
  const layers = adaptedLayers(model, 'withAdaptersDisabled').map(([, layer]) => layer);
  const saved = layers.map((layer) => ({ enabled: layer.adapterEnabled, merged: layer.merged }));
  setAdaptersEnabled(model, false);
  const restore = () =>
    layers.forEach((layer, i) => {
      layer.adapterEnabled = saved[i]!.enabled;
      if (saved[i]!.merged) layer.merge();
    });
  let result: T;
  try {
    result = fn();
  } catch (error) {
    restore();
    throw error;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

/**
 * Merges every adapter into its base weight and removes the adapters, as PEFT's
 * `merge_and_unload()`: the result is a plain model that computes what the adapted one computed.
 * @returns `model`, as a plain model (parameters' `requiresGrad` restored as before `applyLoRA`).
 * @throws what {@link mergeLoRA} throws.
 */
export function mergeAndUnloadLoRA<M extends Module>(model: M): M {
  mergeLoRA(model);
  return removeAdapters(model, { keepMerged: true });
}
