import { noGrad } from '@proj/autograd';
import { describe, expect, it } from 'vitest';
import postNorm from '../../fixtures/transformer-post-norm.json';
import preNorm from '../../fixtures/transformer-pre-norm.json';
import { type FixtureTensor, fromFixture, maxAbsDiff, stateDictFromFixture } from '../rnn/fixture-tensors.js';
import { greedyDecode } from './decoding.js';
import { fromTorchTransformerStateDict, toTorchTransformerStateDict } from './torch-names.js';
import { Transformer } from './transformer.js';

// Fixtures written by tooling/fixtures/rnn_fixture.py from torch 1.13 nn.Transformer (float32).
const TOLERANCE = 1e-5;

for (const fixture of [postNorm, preNorm]) {
  describe(`Transformer matches torch nn.Transformer (normFirst: ${fixture.normFirst})`, () => {
    const model = new Transformer({
      srcVocabSize: fixture.srcVocab,
      tgtVocabSize: fixture.tgtVocab,
      dModel: fixture.dModel,
      nHead: fixture.nHead,
      numEncoderLayers: fixture.numEncoderLayers,
      numDecoderLayers: fixture.numDecoderLayers,
      dimFeedforward: fixture.dimFeedforward,
      normFirst: fixture.normFirst,
      dropout: 0,
      padId: fixture.pad,
    });
    model.loadStateDict(
      fromTorchTransformerStateDict(
        stateDictFromFixture(fixture.state_dict as Record<string, FixtureTensor>),
      ),
    );
    const src = fromFixture(fixture.src, 'int32');
    const tgtIn = fromFixture(fixture.tgt_in, 'int32');

    it('loads every PyTorch parameter through the name map', () => {
      expect(Object.keys(model.stateDict()).length).toBe(Object.keys(fixture.state_dict).length);
    });

    it("writes back PyTorch's own state dict: the same names, shapes and values", () => {
      const torch = toTorchTransformerStateDict(model.stateDict());
      const reference = fixture.state_dict as Record<string, FixtureTensor>;
      expect(Object.keys(torch).sort()).toEqual(Object.keys(reference).sort());
      for (const [name, t] of Object.entries(torch)) {
        expect(t.shape, name).toEqual(reference[name]!.shape);
        expect(Array.from(t.data()), name).toEqual(Array.from(fromFixture(reference[name]!).data()));
      }
      expect(Object.keys(fromTorchTransformerStateDict(torch)).sort()).toEqual(
        Object.keys(model.stateDict()).sort(),
      );
    });

    it(`encoder memory and logits (padded source and target) within ${TOLERANCE}`, () => {
      const memory = model.encodeMemory(src).memory.data;
      expect(maxAbsDiff(memory, fromFixture(fixture.memory))).toBeLessThan(TOLERANCE);
      expect(maxAbsDiff(model.forward(src, tgtIn).data, fromFixture(fixture.logits))).toBeLessThan(TOLERANCE);
    });

    it('greedy decoding with the KV cache gives the tokens of torch re-feeding the prefix', () => {
      const out = noGrad(() =>
        greedyDecode(model, src, { bos: fixture.bos, eos: fixture.eos, maxLength: 6 }),
      );
      expect(out.tokens).toEqual(fixture.greedy);
    });
  });
}
