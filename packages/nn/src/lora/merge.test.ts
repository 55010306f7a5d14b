import { Generator, randint, randn, type Tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { Linear } from '../layers/linear.js';
import { GPT } from '../models/gpt.js';
import { applyLoRA, loraLayers } from './apply-lora.js';
import {
  mergeAndUnloadLoRA,
  mergeLoRA,
  setAdaptersEnabled,
  unmergeLoRA,
  withAdaptersDisabled,
} from './merge.js';

const ids = randint(0, 20, [2, 8], { generator: new Generator(1) });
const maxError = (a: Tensor, b: Tensor) => Math.max(...Array.from(a.sub(b).abs().data()));

/** A small GPT, its logits, and the same GPT adapted on `targetModules` with trained-looking adapters. */
function adapted(targetModules: string[] = ['c_attn', 'c_proj', 'c_fc']) {
  const model = new GPT(
    { vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 },
    { generator: new Generator(0) },
  );
  const base = model.forward(ids).logits.data;
  const weights = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()]));
  applyLoRA(model, { r: 4, alpha: 8, targetModules });
  const g = new Generator(2);
  for (const [, layer] of loraLayers(model))
    layer.lora_B.weight.data = randn(layer.lora_B.weight.shape, { generator: g, std: 0.2 });
  return { model, base, weights, logits: model.forward(ids).logits.data };
}

describe('mergeLoRA / unmergeLoRA', () => {
  it('merged outputs equal unmerged ones, and unmerging restores the weights to float32 rounding', () => {
    const { model, weights, logits } = adapted();
    mergeLoRA(model);
    expect(loraLayers(model).every(([, layer]) => layer.merged)).toBe(true);
    expect(maxError(model.forward(ids).logits.data, logits)).toBeLessThan(1e-5);
    const merged = model.transformer.h[0]!.attn.c_attn.weight.data;
    expect(maxError(merged, weights['transformer.h.0.attn.c_attn.weight']!)).toBeGreaterThan(1e-3);
    unmergeLoRA(model);
    for (const [name, t] of Object.entries(model.stateDict())) {
      const original = weights[name];
      if (original) expect(maxError(t, original), name).toBeLessThan(1e-6);
    }
    expect(maxError(model.forward(ids).logits.data, logits)).toBeLessThan(1e-5);
  });

  it('refuses to merge into a tied weight (a GPT lm_head shares wte)', () => {
    const { model } = adapted(['c_fc', 'lm_head']);
    expect(() => mergeLoRA(model)).toThrow(
      /mergeLoRA: lm_head.weight is tied to transformer.wte.weight; merging would change that too/,
    );
    expect(loraLayers(model).some(([, layer]) => layer.merged)).toBe(false); // checked before merging anything
  });

  it('needs adapters', () => {
    const plain = new GPT({ vocabSize: 20, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 });
    expect(() => mergeLoRA(plain)).toThrow(/mergeLoRA: this GPT has no LoRA adapters/);
    expect(() => withAdaptersDisabled(plain, () => 0)).toThrow(
      /withAdaptersDisabled: this GPT has no LoRA adapters/,
    );
  });
});

describe('disabling adapters', () => {
  it('gives the base logits exactly, merged or not, then restores each adapter', () => {
    const { model, base, logits } = adapted();
    expect(withAdaptersDisabled(model, () => model.forward(ids).logits.data).toArray()).toEqual(
      base.toArray(),
    );
    expect(model.forward(ids).logits.data.toArray()).toEqual(logits.toArray());
    mergeLoRA(model);
    const reference = withAdaptersDisabled(model, () => model.forward(ids).logits.data);
    expect(maxError(reference, base)).toBeLessThan(1e-5);
    expect(loraLayers(model).every(([, layer]) => layer.merged && layer.adapterEnabled)).toBe(true);
    setAdaptersEnabled(model, false);
    expect(loraLayers(model).some(([, layer]) => layer.merged || layer.adapterEnabled)).toBe(false);
    expect(() => mergeLoRA(model)).toThrow(/the adapter of transformer.h.0.attn.c_attn is disabled/);
    setAdaptersEnabled(model, true);
    expect(maxError(model.forward(ids).logits.data, logits)).toBeLessThan(1e-5);
  });

  it('restores the adapters when fn throws, and after a returned promise settles', async () => {
    const { model } = adapted(['c_fc']);
    const enabled = () => loraLayers(model).map(([, layer]) => layer.adapterEnabled);
    expect(() =>
      withAdaptersDisabled(model, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(enabled()).toEqual([true, true]);
    let during: boolean[] = [];
    const pending = withAdaptersDisabled(model, async () => {
      await Promise.resolve();
      during = enabled();
      return 7;
    });
    expect(enabled()).toEqual([false, false]);
    expect(await pending).toBe(7);
    expect(during).toEqual([false, false]);
    expect(enabled()).toEqual([true, true]);
  });
});

describe('mergeAndUnloadLoRA', () => {
  it('returns a plain model computing what the adapted one computed', () => {
    const { model, logits } = adapted();
    const names = Object.keys(model.stateDict()).filter((n) => !n.includes('lora_'));
    mergeAndUnloadLoRA(model);
    expect(loraLayers(model)).toEqual([]);
    expect(model.transformer.h[1]!.mlp.c_fc.constructor).toBe(Linear);
    expect(Object.keys(model.stateDict())).toEqual(names);
    expect(model.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(maxError(model.forward(ids).logits.data, logits)).toBeLessThan(1e-5);
  });
});
