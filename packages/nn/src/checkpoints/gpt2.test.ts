import { Generator, loadSafetensors, randn, saveSafetensors, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import expected from '../../fixtures/gpt2-tiny.json';
import { GPT } from '../models/gpt.js';
import { readFixture } from '../testing/fixtures.js';
import { loadGPT2, saveGPT2 } from './gpt2.js';

// written by tooling/fixtures/gpt2_fixture.py: an independent GPT-2 forward in plain torch
const bytes = await readFixture('gpt2-tiny.safetensors');
const ids = tensor(expected.ids, { dtype: 'int32' });
const targets = tensor(expected.targets, { dtype: 'int32' });
const maxError = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

describe('loadGPT2', () => {
  it('reproduces the logits and loss of an independent PyTorch GPT-2 forward (fixture)', () => {
    const model = loadGPT2(bytes, { nHead: expected.config.nHead }).eval();
    expect(model.config).toMatchObject({
      ...expected.config,
      bias: true,
      geluApproximate: 'tanh',
      dropout: 0,
    });
    const { logits, loss } = model.forward(ids, targets);
    expect(logits.shape).toEqual([2, 12, 50]);
    expect(maxError(logits.data.data(), expected.logits)).toBeLessThan(1e-4);
    expect(Math.abs(loss!.item() - expected.loss)).toBeLessThan(1e-4);
    // in float64 the only difference left is the fixture's rounding to 1e-10
    const exact = loadGPT2(bytes, { nHead: 2 }, { dtype: 'float64' }).eval().forward(ids, targets);
    expect(maxError(exact.logits.data.data(), expected.logits)).toBeLessThan(1e-9);
    expect(Math.abs(exact.loss!.item() - expected.loss)).toBeLessThan(1e-12);
  });

  it('accepts the transformer. prefix and a tied lm_head.weight', () => {
    const file = loadSafetensors(bytes);
    const prefixed = Object.fromEntries(Object.entries(file).map(([k, t]) => [`transformer.${k}`, t]));
    prefixed['lm_head.weight'] = file['wte.weight']!;
    const model = loadGPT2(saveSafetensors(prefixed), { nHead: 2 }).eval();
    expect(maxError(model.forward(ids).logits.data.data(), expected.logits)).toBeLessThan(1e-4);
  });

  it('round-trips: saveGPT2(loadGPT2(bytes)) holds the same tensors, minus the buffers', () => {
    const original = loadSafetensors(bytes);
    const saved = loadSafetensors(saveGPT2(loadGPT2(bytes, { nHead: 2 })));
    const parameters = Object.keys(original).filter((k) => !/^h\.\d+\.attn\.(masked_)?bias$/.test(k));
    expect(Object.keys(saved).sort()).toEqual(parameters.sort());
    for (const key of parameters) {
      expect(saved[key]!.shape).toEqual(original[key]!.shape);
      expect(Array.from(saved[key]!.data())).toEqual(Array.from(original[key]!.data()));
    }
    const withPrefix = loadSafetensors(saveGPT2(loadGPT2(bytes, { nHead: 2 }), { prefix: true }));
    expect(Object.keys(withPrefix).every((k) => k.startsWith('transformer.'))).toBe(true);
  });

  it('saves a model without biases as zero biases that compute the same logits', () => {
    const model = new GPT(
      { vocabSize: 20, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16, bias: false, geluApproximate: 'tanh' },
      { generator: new Generator(0) },
    );
    for (const p of model.parameters()) p.data = randn(p.shape, { std: 0.3, generator: new Generator(1) });
    const x = tensor([[1, 2, 3, 4]], { dtype: 'int32' });
    const loaded = loadGPT2(saveGPT2(model), { nHead: 2 });
    expect(loaded.config.bias).toBe(true);
    expect(maxError(loaded.forward(x).logits.data.data(), model.forward(x).logits.data.data())).toBeLessThan(
      1e-6,
    );
  });

  it('reports a stray block index as an unexpected key, before building any layer (issue 14)', () => {
    const file = loadSafetensors(bytes);
    file['h.10000.ln_1.weight'] = file['h.0.ln_1.weight']!;
    expect(() => loadGPT2(saveSafetensors(file), { nHead: 2 })).toThrow(
      /^loadGPT2: unexpected keys: h\.10000\.ln_1\.weight$/,
    );
    // an index no array could hold: found in the header, nothing is allocated
    delete file['h.10000.ln_1.weight'];
    file['h.4000000000.mlp.c_fc.bias'] = file['h.0.mlp.c_fc.bias']!;
    expect(() => loadGPT2(saveSafetensors(file), { nHead: 2 })).toThrow(
      /unexpected keys: h\.4000000000\.mlp\.c_fc\.bias/,
    );
    delete file['h.4000000000.mlp.c_fc.bias'];
    file['h.0.__proto__.weight'] = file['h.0.ln_1.weight']!;
    expect(() => loadGPT2(saveSafetensors(file), { nHead: 2 })).toThrow(
      /^loadGPT2: unexpected keys: h\.0\.__proto__\.weight$/,
    );
  });

  it('loads an lm_head.weight that differs from wte as an untied head (issue 14)', () => {
    const file = loadSafetensors(bytes);
    // a head of 2·wte doubles every logit of the tied model
    file['lm_head.weight'] = file['wte.weight']!.mul(2);
    const model = loadGPT2(saveSafetensors(file), { nHead: 2 }).eval();
    expect(model.config.tieWordEmbeddings).toBe(false);
    const doubled = expected.logits.map((v) => 2 * v);
    expect(maxError(model.forward(ids).logits.data.data(), doubled)).toBeLessThan(2e-4);
    const saved = loadSafetensors(saveGPT2(model));
    expect(Array.from(saved['lm_head.weight']!.data())).toEqual(Array.from(file['lm_head.weight']!.data()));
    expect(() => loadGPT2(saveSafetensors(file), { nHead: 2, tieWordEmbeddings: true })).toThrow(
      /lm_head\.weight differs from wte\.weight, but the config ties them/,
    );
  });

  it('infers nHead as nEmbd / 64 when possible and names every bad key otherwise', () => {
    const model = new GPT({
      vocabSize: 10,
      blockSize: 4,
      nLayer: 1,
      nHead: 1,
      nEmbd: 64,
      geluApproximate: 'tanh',
    });
    expect(loadGPT2(saveGPT2(model)).config.nHead).toBe(1);
    expect(() => loadGPT2(bytes)).toThrow(/nHead cannot be read from the tensor shapes.*pass config.nHead/);
    const file = loadSafetensors(bytes);
    delete file['h.1.mlp.c_fc.bias'];
    file['h.0.attn.extra'] = file['ln_f.bias']!;
    file['h.0.ln_1.weight'] = file['ln_f.bias']!.narrow(0, 0, 8).contiguous();
    expect(() => loadGPT2(saveSafetensors(file), { nHead: 2 })).toThrow(
      /missing keys: h\.1\.mlp\.c_fc\.bias\. unexpected keys: h\.0\.attn\.extra/,
    );
    delete file['h.0.attn.extra'];
    file['h.1.mlp.c_fc.bias'] = loadSafetensors(bytes)['h.1.mlp.c_fc.bias']!;
    expect(() => loadGPT2(saveSafetensors(file), { nHead: 2 })).toThrow(
      /misshaped keys: h\.0\.ln_1\.weight: expected \[32\], got \[8\]/,
    );
    expect(() => loadGPT2(saveSafetensors({ 'ln_f.bias': file['ln_f.bias']! }))).toThrow(
      /need 2-d wte.weight/,
    );
  });
});
