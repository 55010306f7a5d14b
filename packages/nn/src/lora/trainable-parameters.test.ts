import { Generator } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { Sequential } from '../layers/activation.js';
import { Linear } from '../layers/linear.js';
import { GPT } from '../models/gpt.js';
import { applyLoRA } from './apply-lora.js';
import { trainableParameters } from './trainable-parameters.js';

describe('trainableParameters', () => {
  it("counts as PEFT's print_trainable_parameters and prints its line", () => {
    const model = new Sequential(new Linear(1000, 1000, { generator: new Generator(0) }));
    expect(trainableParameters(model).summary).toBe(
      'trainable params: 1,001,000 || all params: 1,001,000 || trainable%: 100.0000',
    );
    applyLoRA(model, { r: 8, targetModules: ['0'] }); // A [8, 1000] + B [1000, 8]
    expect(trainableParameters(model).summary).toBe(
      'trainable params: 16,000 || all params: 1,017,000 || trainable%: 1.5733',
    );
  });

  it('counts the adapters and the base once each, tied weights once, position embeddings included', () => {
    const model = new GPT(
      { vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 },
      { generator: new Generator(0) },
    );
    // wte 20·16 + wpe 8·16 + 2 blocks of (2 LayerNorms 2·32, c_attn 16·48+48, c_proj 16·16+16,
    // c_fc 16·64+64, c_proj 64·16+16) + ln_f 32; lm_head is wte
    const all = 320 + 128 + 2 * (64 + 816 + 272 + 1088 + 1040) + 32;
    expect(model.numParameters({ nonEmbedding: false })).toBe(all);
    applyLoRA(model, { r: 8, targetModules: ['c_attn'] });
    const lora = 2 * (8 * 16 + 48 * 8); // per layer: A [8, 16] + B [48, 8]
    const counts = trainableParameters(model);
    expect(counts).toMatchObject({ trainable: lora, all: all + lora });
    expect(counts.percent).toBeCloseTo((100 * lora) / (all + lora), 12);
    expect(counts.summary).toBe(`trainable params: 1,024 || all params: 8,064 || trainable%: 12.6984`);
  });
});
