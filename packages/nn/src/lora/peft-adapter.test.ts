import {
  defaultGenerator,
  Generator,
  loadSafetensors,
  manualSeed,
  readSafetensorsHeader,
  saveSafetensors,
  type Tensor,
  tensor,
} from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import expected from '../../fixtures/lora/expected.json';
import { loadGPT2 } from '../checkpoints/gpt2.js';
import { StateDictError } from '../module.js';
import { readFixture } from '../testing/fixtures.js';
import { applyLoRA, loraLayers } from './apply-lora.js';
import { mergeLoRA } from './merge.js';
import { loadLoRAAdapter, saveLoRAAdapter } from './peft-adapter.js';

// written by tooling/fixtures/lora_fixture.py: LoRA added to a plain-torch GPT-2 as PEFT does it,
// saved in PEFT's format, and the logits of the adapted model
const base = await readFixture('lora/base.safetensors');
const adapters = {
  'adapter-a': {
    config: JSON.parse(new TextDecoder().decode(await readFixture('lora/adapter-a/adapter_config.json'))),
    weights: await readFixture('lora/adapter-a/adapter_model.safetensors'),
  },
  'adapter-b': {
    config: JSON.parse(new TextDecoder().decode(await readFixture('lora/adapter-b/adapter_config.json'))),
    weights: await readFixture('lora/adapter-b/adapter_model.safetensors'),
  },
};
const ids = tensor(expected.ids, { dtype: 'int32' });
const nHead = expected.config.nHead;
const maxError = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
const logitsOf = (model: ReturnType<typeof loadGPT2>) => model.eval().forward(ids).logits.data.data();

describe('loadLoRAAdapter', () => {
  it.each(Object.keys(adapters) as (keyof typeof adapters)[])(
    'gives the logits of the PEFT-adapted GPT-2 for %s (fixture)',
    (name) => {
      const { config, weights } = adapters[name];
      const model = loadGPT2(base, { nHead });
      expect(maxError(logitsOf(model), expected.baseLogits)).toBeLessThan(1e-4);
      loadLoRAAdapter(model, config, weights);
      expect(loraLayers(model).map(([path]) => path)).toEqual(expected.adapters[name].targets);
      expect(maxError(logitsOf(model), expected.adapters[name].logits)).toBeLessThan(1e-4);
      const exact = loadLoRAAdapter(loadGPT2(base, { nHead }, { dtype: 'float64' }), config, weights);
      expect(maxError(logitsOf(exact), expected.adapters[name].logits)).toBeLessThan(1e-9);
    },
  );

  it('reads keys without the base_model.model. prefix and biases under their pre-0.7 names', () => {
    const { config, weights } = adapters['adapter-a'];
    const renamed = Object.fromEntries(
      Object.entries(loadSafetensors(weights)).map(([k, t]) => [
        k.replace('base_model.model.', '').replace('.base_layer.bias', '.bias'),
        t,
      ]),
    );
    const model = loadLoRAAdapter(loadGPT2(base, { nHead }), config, saveSafetensors(renamed));
    expect(maxError(logitsOf(model), expected.adapters['adapter-a'].logits)).toBeLessThan(1e-4);
  });

  it('takes the dropout masks from the given generator and draws nothing from the default one', () => {
    const { config, weights } = adapters['adapter-a']; // lora_dropout 0.05
    const trained = (seed: number) => {
      const options = { generator: new Generator(seed) };
      const model = loadLoRAAdapter(loadGPT2(base, { nHead }), config, weights, options);
      expect(loraLayers(model).every(([, layer]) => layer.lora_dropout.p === 0.05)).toBe(true);
      return model.train().forward(ids).logits.data.data();
    };
    manualSeed(5);
    expect(Array.from(trained(1))).toEqual(Array.from(trained(1)));
    expect(maxError(trained(1), trained(2))).toBeGreaterThan(1e-6);
    const next = defaultGenerator().uniform();
    manualSeed(5);
    expect(defaultGenerator().uniform()).toBe(next);
  });

  it('lists every missing, unexpected and misshaped key in one error, and leaves the model as it was', () => {
    const { config, weights } = adapters['adapter-a'];
    const tensors = loadSafetensors(weights);
    const prefix = 'base_model.model.transformer.h.';
    delete tensors[`${prefix}1.mlp.c_proj.lora_B.weight`];
    tensors[`${prefix}0.mlp.c_fc.lora_A.weight`] = tensors[`${prefix}0.attn.c_attn.lora_A.weight`]!;
    tensors[`${prefix}0.attn.c_proj.lora_A.weight`] = tensors[
      `${prefix}0.attn.c_proj.lora_A.weight`
    ]!.reshape([8, 8]);
    const model = loadGPT2(base, { nHead });
    const before = logitsOf(model);
    const load = () => loadLoRAAdapter(model, config, saveSafetensors(tensors));
    expect(load).toThrow(StateDictError);
    expect(load).toThrow(
      'loadLoRAAdapter: the adapter (made for "proj-tiny-gpt2") does not fit this model. ' +
        'misshaped keys: transformer.h.0.attn.c_proj.lora_A.weight: expected [4, 16], got [8, 8]. ' +
        'missing keys: transformer.h.1.mlp.c_proj.lora_B.weight. ' +
        'unexpected keys: transformer.h.0.mlp.c_fc.lora_A.weight',
    );
    expect(loraLayers(model)).toEqual([]);
    expect(Array.from(logitsOf(model))).toEqual(Array.from(before));
  });

  it('names an adapter made for another base shape', async () => {
    const wider = loadGPT2(await readFixture('gpt2-tiny.safetensors'), { nHead: 2 }); // 32 wide, not 16
    const { config, weights } = adapters['adapter-b'];
    expect(() => loadLoRAAdapter(wider, config, weights)).toThrow(
      /does not fit this model\. misshaped keys: transformer\.h\.0\.mlp\.c_fc\.lora_A\.weight: expected \[2, 32\], got \[2, 16\]; .*transformer\.ln_f\.bias: expected \[32\], got \[16\]/,
    );
  });

  it('names config fields that are not plain LoRA', () => {
    const { config, weights } = adapters['adapter-a'];
    const model = loadGPT2(base, { nHead });
    const load = (changes: object) => () => loadLoRAAdapter(model, { ...config, ...changes }, weights);
    expect(load({ peft_type: 'IA3' })).toThrow(/peft_type is "IA3"; only LORA adapters load here/);
    expect(load({ use_dora: true })).toThrow(/use_dora = true asks for DoRA, which is not supported/);
    expect(load({ rank_pattern: { c_attn: 8 } })).toThrow(
      /rank_pattern = \{"c_attn":8\} asks for per-module ranks/,
    );
    expect(load({ init_lora_weights: 'pissa' })).toThrow(
      /init_lora_weights = "pissa" changes the base weights/,
    );
    expect(load({ r: '4' })).toThrow(/adapter_config.json: r must be a number, got "4"/);
    expect(load({ target_modules: ['q_proj'] })).toThrow(
      /target modules \["q_proj"\] match no module of this GPT/,
    );
    expect(loraLayers(model)).toEqual([]);
  });
});

describe('saveLoRAAdapter', () => {
  it("writes back PEFT's files: the same tensors under the same keys, and a config PEFT reads", () => {
    for (const [name, { config, weights }] of Object.entries(adapters)) {
      const model = loadLoRAAdapter(loadGPT2(base, { nHead }), config, weights);
      const saved = saveLoRAAdapter(model, { baseModelNameOrPath: 'proj-tiny-gpt2' });
      expect(readSafetensorsHeader(saved.weights).header.__metadata__).toEqual({ format: 'pt' });
      const original = loadSafetensors(weights);
      const written = loadSafetensors(saved.weights);
      expect(Object.keys(written).sort(), name).toEqual(Object.keys(original).sort());
      for (const [key, t] of Object.entries(original)) {
        expect(written[key]!.shape).toEqual(t.shape);
        expect(Array.from(written[key]!.data())).toEqual(Array.from(t.data()));
      }
      for (const field of [
        'peft_type',
        'task_type',
        'base_model_name_or_path',
        'r',
        'lora_alpha',
        'lora_dropout',
      ])
        expect(saved.config[field as keyof typeof saved.config], field).toEqual(config[field]);
      for (const field of [
        'target_modules',
        'bias',
        'fan_in_fan_out',
        'use_rslora',
        'init_lora_weights',
        'use_dora',
      ])
        expect(saved.config[field as keyof typeof saved.config], field).toEqual(config[field]);
      expect(saved.config).toMatchObject({ inference_mode: true, rank_pattern: {}, modules_to_save: null });
      expect('exclude_modules' in saved.config).toBe(false);
    }
  });

  it('round-trips through its own files, merged or not', () => {
    const { config, weights } = adapters['adapter-a'];
    const model = loadLoRAAdapter(loadGPT2(base, { nHead }), config, weights);
    mergeLoRA(model); // A and B are saved all the same
    const saved = saveLoRAAdapter(model);
    expect(saved.config).toMatchObject({
      base_model_name_or_path: null,
      task_type: 'CAUSAL_LM',
      fan_in_fan_out: true,
    });
    const again = loadLoRAAdapter(
      loadGPT2(base, { nHead }),
      JSON.parse(JSON.stringify(saved.config)),
      saved.weights,
    );
    expect(maxError(logitsOf(again), expected.adapters['adapter-a'].logits)).toBeLessThan(1e-4);
  });

  it('needs a model adapted by applyLoRA', () => {
    expect(() => saveLoRAAdapter(loadGPT2(base, { nHead }))).toThrow(/was not adapted by applyLoRA/);
  });
});

describe("applyLoRA's initialisation", () => {
  it.each(Object.keys(adapters) as (keyof typeof adapters)[])(
    "draws PEFT's A from a 'torch' generator seeded like torch.manual_seed (%s)",
    (name) => {
      const { config } = adapters[name];
      const fixture = expected.adapters[name];
      const model = applyLoRA(loadGPT2(base, { nHead }), {
        r: config.r,
        alpha: config.lora_alpha,
        targetModules: config.target_modules,
        generator: new Generator(fixture.seed, { algorithm: 'torch' }),
      });
      for (const [path, layer] of loraLayers(model)) {
        const fresh = (fixture.freshA as Record<string, number[]>)[path]!;
        const a: Tensor = layer.lora_A.weight.data;
        expect(maxError(a.data(), fresh), path).toBeLessThan(1e-7);
        expect(Array.from(layer.lora_B.weight.data.data()).every((v) => v === 0)).toBe(true);
      }
    },
  );
});
