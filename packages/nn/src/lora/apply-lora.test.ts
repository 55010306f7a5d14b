import { Generator, randint, randn } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { Linear } from '../layers/linear.js';
import { MLP } from '../layers/mlp.js';
import { GPT } from '../models/gpt.js';
import { Transformer } from '../seq2seq/transformer.js';
import { applyLoRA, loraConfigOf, loraLayers, unloadLoRA } from './apply-lora.js';
import { LoRALinear } from './lora-linear.js';
import { mergeLoRA } from './merge.js';

const config = { vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
const gpt = (seed = 0) => new GPT(config, { generator: new Generator(seed) });
const ids = randint(0, 20, [2, 8], { generator: new Generator(1) });
const trainable = (model: GPT) =>
  model
    .namedParameters()
    .filter(([, p]) => p.requiresGrad)
    .map(([name]) => name);

/** Gives every adapter of `model` a non-zero B, as training would. */
function train(model: GPT | Transformer, seed = 2) {
  const g = new Generator(seed);
  for (const [, layer] of loraLayers(model))
    layer.lora_B.weight.data = randn(layer.lora_B.weight.shape, { generator: g, std: 0.2 });
}

describe('applyLoRA', () => {
  it('leaves every logit of a GPT exactly as it was', () => {
    const model = gpt();
    const before = model.forward(ids).logits.data.toArray();
    applyLoRA(model, {
      r: 4,
      alpha: 8,
      dropout: 0.1,
      targetModules: ['c_attn', 'c_proj', 'c_fc'],
      generator: new Generator(3),
    });
    expect(loraLayers(model)).toHaveLength(8);
    expect(model.eval().forward(ids).logits.data.toArray()).toEqual(before);
    expect(model.train().forward(ids).logits.data.toArray()).toEqual(before); // B = 0 even with dropout active
  });

  it('wraps the targets in PEFT order under PEFT names and freezes everything else', () => {
    const model = applyLoRA(gpt(), { r: 2, alpha: 4, targetModules: ['attn.c_attn', 'mlp.c_proj'] });
    expect(loraLayers(model).map(([path]) => path)).toEqual([
      'transformer.h.0.attn.c_attn',
      'transformer.h.0.mlp.c_proj',
      'transformer.h.1.attn.c_attn',
      'transformer.h.1.mlp.c_proj',
    ]);
    expect(model.transformer.h[0]!.attn.c_attn).toBeInstanceOf(LoRALinear);
    expect(trainable(model)).toEqual(
      loraLayers(model).flatMap(([path]) => [`${path}.lora_A.weight`, `${path}.lora_B.weight`]),
    );
    expect(model.stateDict()['transformer.h.0.attn.c_attn.weight']).toBe(
      model.transformer.h[0]!.attn.c_attn.weight.data,
    );
    expect(loraConfigOf(model)).toEqual({
      r: 2,
      alpha: 4,
      dropout: 0,
      useRslora: false,
      targetModules: ['attn.c_attn', 'mlp.c_proj'],
      excludeModules: null,
      bias: 'none',
    });
  });

  it("trains biases as PEFT's bias option says", () => {
    const all = trainable(applyLoRA(gpt(), { targetModules: ['c_fc'], bias: 'all' }));
    expect(all.filter((n) => n.endsWith('.bias'))).toEqual(
      gpt()
        .namedParameters()
        .map(([n]) => n)
        .filter((n) => n.endsWith('.bias')),
    );
    const loraOnly = trainable(applyLoRA(gpt(), { targetModules: ['c_fc'], bias: 'lora_only' }));
    expect(loraOnly.filter((n) => n.endsWith('.bias'))).toEqual([
      'transformer.h.0.mlp.c_fc.bias',
      'transformer.h.1.mlp.c_fc.bias',
    ]);
  });

  it("defaults to PEFT's GPT-2 target (c_attn), r 8 and alpha 8, and honours excludeModules", () => {
    const model = applyLoRA(gpt());
    expect(loraLayers(model).map(([path]) => path)).toEqual([
      'transformer.h.0.attn.c_attn',
      'transformer.h.1.attn.c_attn',
    ]);
    expect(loraLayers(model)[0]![1].scaling).toBe(1);
    const excluded = applyLoRA(gpt(), {
      targetModules: '.*c_(attn|proj)',
      excludeModules: ['h.1.attn.c_proj'],
    });
    expect(loraLayers(excluded).map(([path]) => path)).toEqual([
      'transformer.h.0.attn.c_attn',
      'transformer.h.0.attn.c_proj',
      'transformer.h.0.mlp.c_proj',
      'transformer.h.1.attn.c_attn',
      'transformer.h.1.mlp.c_proj',
    ]);
  });

  it('adapts cross-attention too: the adapted model computes what its merged weights compute', () => {
    const model = new Transformer(
      {
        srcVocabSize: 10,
        tgtVocabSize: 10,
        dModel: 16,
        nHead: 2,
        numEncoderLayers: 1,
        numDecoderLayers: 1,
        dimFeedforward: 32,
        dropout: 0,
      },
      { generator: new Generator(4) },
    ).eval();
    const src = randint(1, 10, [2, 5], { generator: new Generator(5) });
    const tgt = randint(1, 10, [2, 4], { generator: new Generator(6) });
    applyLoRA(model, { r: 2, alpha: 4, targetModules: ['c_attn', 'c_proj'] });
    expect(loraLayers(model).map(([path]) => path)).toContain('decoder.layers.0.multihead_attn.c_attn');
    train(model);
    const adapted = model.forward(src, tgt).data;
    mergeLoRA(model);
    expect(Math.max(...Array.from(model.forward(src, tgt).data.sub(adapted).abs().data()))).toBeLessThan(
      1e-5,
    );
  });

  it('unloads back to the plain model: Linear layers, the same names, requiresGrad as before', () => {
    const model = gpt();
    model.transformer.wpe.weight.requiresGrad = false; // frozen by the user beforehand
    const names = Object.keys(model.stateDict());
    const before = model.forward(ids).logits.data.toArray();
    applyLoRA(model, { targetModules: ['c_attn', 'c_fc'] });
    train(model);
    unloadLoRA(model);
    expect(loraLayers(model)).toEqual([]);
    expect(model.transformer.h[0]!.attn.c_attn.constructor).toBe(Linear);
    expect(Object.keys(model.stateDict())).toEqual(names);
    expect(model.forward(ids).logits.data.toArray()).toEqual(before);
    expect(
      model
        .namedParameters()
        .filter(([, p]) => !p.requiresGrad)
        .map(([n]) => n),
    ).toEqual(['transformer.wpe.weight']);
    expect(() => loraConfigOf(model)).toThrow(/was not adapted by applyLoRA/);
    applyLoRA(model, { targetModules: ['c_proj'] }); // and can be adapted again
  });

  it('keeps the training mode of the layers it wraps', () => {
    const model = applyLoRA(gpt().eval(), { targetModules: ['c_attn'], dropout: 0.5 });
    expect(loraLayers(model).every(([, layer]) => !layer.training && !layer.lora_dropout.training)).toBe(
      true,
    );
  });

  it('names what does not match, what is not a Linear, and a second adapter', () => {
    expect(() => applyLoRA(gpt(), { targetModules: ['q_proj', 'v_proj'] })).toThrow(
      'applyLoRA: target modules ["q_proj","v_proj"] match no module of this GPT; its Linear layers are transformer.h.<i>.attn.c_attn, transformer.h.<i>.attn.c_proj, transformer.h.<i>.mlp.c_fc, transformer.h.<i>.mlp.c_proj, lm_head',
    );
    expect(() => applyLoRA(gpt(), { targetModules: ['wte', 'c_attn'] })).toThrow(
      /match modules that are not Linear layers: transformer.wte \(Embedding\); LoRA adapts Linear layers only/,
    );
    expect(() => applyLoRA(gpt(), { targetModules: ['c_fc'], excludeModules: '.*' })).toThrow(
      /every module matching target modules \["c_fc"\] is excluded by \/\.\*\//,
    );
    const model = applyLoRA(gpt(), { targetModules: ['c_fc'] });
    expect(() => applyLoRA(model, { targetModules: ['c_attn'] })).toThrow(
      /already has LoRA adapters \(transformer.h.0.mlp.c_fc, transformer.h.1.mlp.c_fc\); one adapter per model/,
    );
  });

  it('names a bad option, and asks for targetModules on models without a default', () => {
    expect(() => applyLoRA(gpt(), { r: 2.5 })).toThrow(/r must be a positive integer, got 2.5/);
    expect(() => applyLoRA(gpt(), { dropout: 1 })).toThrow(/dropout must be in \[0, 1\), got 1/);
    expect(() => applyLoRA(gpt(), { bias: 'some' as never })).toThrow(
      /bias must be 'none', 'all' or 'lora_only', got 'some'/,
    );
    expect(() => applyLoRA(new MLP(8))).toThrow(/targetModules is required for a MLP/);
    expect(loraLayers(applyLoRA(new MLP(8), { targetModules: ['c_fc'] }))).toHaveLength(1);
  });
});
