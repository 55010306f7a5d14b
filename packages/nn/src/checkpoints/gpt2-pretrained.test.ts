import { Generator, loadSafetensors, randn, saveSafetensors, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import expected from '../../fixtures/gpt2-tiny.json';
import { GPT, type GPTConfig } from '../models/gpt.js';
import { readFixture } from '../testing/fixtures.js';
import { loadGPT2, saveGPT2 } from './gpt2.js';
import { gpt2ConfigFromHuggingFace, gpt2ConfigToHuggingFace, HuggingFaceConfigError } from './gpt2-config.js';
import { loadGPT2Pretrained } from './gpt2-pretrained.js';

// written by tooling/fixtures/gpt2_fixture.py: an independent GPT-2 forward (tanh GELU) in plain torch
const bytes = await readFixture('gpt2-tiny.safetensors');
const ids = tensor(expected.ids, { dtype: 'int32' });
const maxError = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
/** The fixture's config.json, as transformers would write it for that model. */
const fixtureConfig = {
  model_type: 'gpt2',
  architectures: ['GPT2LMHeadModel'],
  vocab_size: 50,
  n_positions: 16,
  n_ctx: 16,
  n_embd: 32,
  n_layer: 2,
  n_head: 2,
  n_inner: null,
  activation_function: 'gelu_new',
  resid_pdrop: 0.1,
  embd_pdrop: 0.1,
  attn_pdrop: 0.1,
  layer_norm_epsilon: 1e-5,
  initializer_range: 0.02,
  summary_type: 'cls_index',
  bos_token_id: 49,
  eos_token_id: 49,
  transformers_version: '4.46.0',
};

function randomGPT(config: Partial<GPTConfig>): GPT {
  const model = new GPT({ vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16, ...config });
  const generator = new Generator(3);
  for (const p of model.parameters()) p.data = randn(p.shape, { std: 0.3, generator });
  return model.eval();
}

describe('gpt2ConfigToHuggingFace', () => {
  it('writes the GPT2Config fields, gelu for exact GELU and gelu_new for tanh', () => {
    const model = randomGPT({ dropout: 0.2, layerNormEps: 1e-6, bias: false });
    expect(gpt2ConfigToHuggingFace(model.config, { eosTokenId: 7 })).toEqual({
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      vocab_size: 20,
      n_positions: 8,
      n_ctx: 8,
      n_embd: 16,
      n_layer: 2,
      n_head: 2,
      n_inner: null,
      activation_function: 'gelu',
      resid_pdrop: 0.2,
      embd_pdrop: 0.2,
      attn_pdrop: 0.2,
      layer_norm_epsilon: 1e-6,
      initializer_range: 0.02,
      scale_attn_weights: true,
      scale_attn_by_inverse_layer_idx: false,
      reorder_and_upcast_attn: false,
      use_cache: true,
      tie_word_embeddings: true,
      bos_token_id: null,
      eos_token_id: 7,
      torch_dtype: 'float32',
    });
    const tanh = randomGPT({ geluApproximate: 'tanh', tieWordEmbeddings: false });
    expect(gpt2ConfigToHuggingFace(tanh.config)).toMatchObject({
      activation_function: 'gelu_new',
      tie_word_embeddings: false,
    });
  });
});

describe('loadGPT2Pretrained', () => {
  it('reproduces the PyTorch fixture from config.json, with no head count by hand', () => {
    const { model, warnings } = loadGPT2Pretrained({ weights: bytes, config: JSON.stringify(fixtureConfig) });
    expect(warnings).toEqual([]);
    expect(model.config).toMatchObject({
      nHead: 2,
      geluApproximate: 'tanh',
      dropout: 0.1,
      layerNormEps: 1e-5,
    });
    expect(maxError(model.eval().forward(ids).logits.data.data(), expected.logits)).toBeLessThan(1e-4);
  });

  for (const config of [
    { geluApproximate: 'none', bias: false, layerNormEps: 1e-6 },
    { geluApproximate: 'tanh', tieWordEmbeddings: false, dropout: 0.1 },
  ] as const) {
    it(`round-trips saveGPT2 + config.json: ${JSON.stringify(config)}`, () => {
      const model = randomGPT(config);
      const { model: back } = loadGPT2Pretrained({
        weights: saveGPT2(model, { prefix: true }),
        config: gpt2ConfigToHuggingFace(model.config) as unknown as Record<string, unknown>,
      });
      expect(back.config).toEqual({ ...model.config, bias: true }); // zero biases are written
      const x = tensor([[1, 5, 2, 19, 0, 3]], { dtype: 'int32' });
      const [ours, theirs] = [model, back.eval()].map((m) => m.forward(x).logits.data.data());
      expect(maxError(theirs!, ours!)).toBeLessThan(1e-6);
    });
  }

  it('names the field that contradicts the weights or cannot be honoured', () => {
    const load = (change: Record<string, unknown>) => () =>
      loadGPT2Pretrained({ weights: bytes, config: { ...fixtureConfig, ...change } });
    expect(load({ vocab_size: 51 })).toThrow(
      /config.json: vocab_size 51 does not match the weights, whose wte.weight row count is 50/,
    );
    expect(load({ n_positions: 1024 })).toThrow(
      /n_positions 1024 does not match .* wpe.weight row count is 16/,
    );
    expect(load({ n_embd: 64 })).toThrow(/n_embd 64 does not match/);
    expect(load({ n_layer: 3 })).toThrow(/n_layer 3 does not match the weights, whose block count .* is 2/);
    expect(load({ n_head: 3 })).toThrow(/config.json: n_head 3 does not divide n_embd 32/);
    expect(load({ n_embd: undefined, n_head: 5 })).toThrow(/n_head 5 does not divide n_embd 32/);
    expect(load({ n_inner: 100 })).toThrow(
      /n_inner 100 is not supported \(the MLP is 4 \* n_embd = 128 wide\)/,
    );
    expect(load({ activation_function: 'relu' })).toThrow(/activation_function "relu" is not supported/);
    expect(load({ model_type: 'llama' })).toThrow(/model_type "llama" is not "gpt2"/);
    expect(load({ n_layer: '2' })).toThrow(/n_layer "2" must be a positive integer/);
    expect(load({ layer_norm_epsilon: -1 })).toThrow(/layer_norm_epsilon -1 must be a positive number/);
    expect(load({ scale_attn_by_inverse_layer_idx: true })).toThrow(/scale_attn_by_inverse_layer_idx/);
    expect(load({ scale_attn_weights: false })).toThrow(/scale_attn_weights false is not supported/);
    expect(load({ tie_word_embeddings: 'yes' })).toThrow(/tie_word_embeddings "yes" must be true or false/);
    expect(load({})).not.toThrow();
    expect(load({ n_head: 3 })).toThrow(HuggingFaceConfigError);
    expect(() => loadGPT2Pretrained({ weights: bytes, config: '{"n_head": 2,' })).toThrow(
      /config.json is not valid JSON/,
    );
  });

  it('a tied config refuses an lm_head.weight that differs from wte', () => {
    const file = loadSafetensors(bytes);
    file['lm_head.weight'] = file['wte.weight']!.mul(2);
    const weights = saveSafetensors(file, { format: 'pt' });
    expect(() =>
      loadGPT2Pretrained({ weights, config: { ...fixtureConfig, tie_word_embeddings: true } }),
    ).toThrow(/lm_head.weight differs from wte.weight, but the config ties them/);
    const untied = loadGPT2Pretrained({ weights, config: { ...fixtureConfig, tie_word_embeddings: false } });
    expect(untied.model.config.tieWordEmbeddings).toBe(false);
    // absent means GPT2Config's default, true
    expect(() => loadGPT2Pretrained({ weights, config: fixtureConfig })).toThrow(/ties them/);
  });

  it('applies GPT2Config defaults and warns about what it ignores', () => {
    const { config, warnings } = gpt2ConfigFromHuggingFace({
      n_embd: 768,
      my_field: 1,
      resid_pdrop: 0,
      embd_pdrop: 0.1,
    });
    expect(config).toEqual({
      nEmbd: 768,
      nHead: 12,
      geluApproximate: 'tanh',
      layerNormEps: 1e-5,
      dropout: 0,
      tieWordEmbeddings: true,
    });
    expect(warnings).toEqual([
      'config.json: ignored unknown field my_field',
      'config.json: one dropout rate for everything, resid_pdrop 0 (embd_pdrop 0.1 and attn_pdrop 0.1 differ)',
    ]);
    expect(gpt2ConfigFromHuggingFace('{"activation_function": "gelu"}').config.geluApproximate).toBe('none');
  });
});

describe('loadGPT2 size checks', () => {
  it('lists the first missing tensors of a config with too many layers and counts the rest', () => {
    expect(() => loadGPT2(bytes, { nHead: 2, nLayer: 1_000_000_000 })).toThrow(
      /^loadGPT2: missing keys: h\.2\.ln_1\.weight, h\.2\.ln_1\.bias, .* \(and 11999999964 more\)$/,
    );
  });
});
