import { Generator } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import reference from '../../fixtures/nanogpt-init.json';
import { GPT } from './gpt.js';

type Config = (typeof reference.configs)['bias'];

/** Our GPT for a fixture config, built from a torch-compatible generator seeded like torch.manual_seed. */
function build(c: Config['config']): GPT {
  const config = {
    vocabSize: c.vocab_size,
    blockSize: c.block_size,
    nLayer: c.n_layer,
    nHead: c.n_head,
    nEmbd: c.n_embd,
    bias: c.bias,
  };
  return new GPT(config, { generator: new Generator(reference.seed, { algorithm: 'torch' }) });
}

describe("GPT initialisation from a 'torch' generator equals nanoGPT's under torch.manual_seed (torch 1.13 fixture)", () => {
  it.each(Object.entries(reference.configs))('%s: every parameter, in value', (_, { config, params }) => {
    const model = build(config);
    const ours = model.stateDict();
    for (const [name, want] of Object.entries(params)) {
      const got = ours[name];
      expect(got?.shape, name).toEqual(want.shape);
      const values = got!.data();
      let worst = 0;
      want.values.forEach((w, i) => {
        // torch's float32 normal fill rounds its log/sin/cos differently by an ulp or two
        worst = Math.max(worst, Math.abs(values[i]! - Math.fround(w)) / Math.max(Math.abs(w), 1e-3));
      });
      expect({ name, worst: worst <= 1e-6 ? 'ok' : worst }).toEqual({ name, worst: 'ok' });
    }
    // the head is the token embedding, as in nanoGPT
    expect(model.lm_head.weight).toBe(model.transformer.wte.weight);
  });

  it('the default xoshiro generator draws other numbers', () => {
    const c = reference.configs.bias.config;
    const torchInit = build(c).transformer.wte.weight.data.data();
    const ours = new GPT(
      {
        vocabSize: c.vocab_size,
        blockSize: c.block_size,
        nLayer: c.n_layer,
        nHead: c.n_head,
        nEmbd: c.n_embd,
      },
      { generator: new Generator(reference.seed) },
    ).transformer.wte.weight.data.data();
    expect(Array.from(ours)).not.toEqual(Array.from(torchInit));
  });
});
