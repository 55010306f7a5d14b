import { noGrad, type Variable } from '@proj/autograd';
import { manualSeed, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import type { Module } from '../module.js';
import { maxAbsDiff } from '../rnn/fixture-tensors.js';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { beamSearch, greedyDecode } from './decoding.js';
import type { Seq2SeqModel } from './seq2seq-model.js';
import { Seq2SeqRNN } from './seq2seq-rnn.js';
import { Transformer } from './transformer.js';

describe('seq2seq configs', () => {
  it('an entry passed as undefined keeps its default, as an omitted one', () => {
    const config = { srcVocabSize: 7, tgtVocabSize: 7, dModel: 8, nHead: 2, dimFeedforward: 16 };
    const transformer = new Transformer({ ...config, dropout: undefined, numEncoderLayers: undefined });
    expect(transformer.config).toEqual(new Transformer(config).config);
    expect(transformer.config.dropout).toBe(0.1);
    const rnn = new Seq2SeqRNN({
      srcVocabSize: 7,
      tgtVocabSize: 7,
      hiddenSize: 8,
      cell: undefined,
      padId: undefined,
    });
    expect(rnn.config.cell).toBe('lstm');
    expect(rnn.config.padId).toBe(0);
  });
});

// Conformance of both seq2seq models to the shared interface. Vocabulary: 0 pad, 1 bos, 2 eos.
type AnyModel = Seq2SeqModel & Module;
const V = 6;

const tiny = { srcVocabSize: V, tgtVocabSize: V };
const transformer = {
  ...tiny,
  dModel: 4,
  nHead: 2,
  numEncoderLayers: 1,
  numDecoderLayers: 1,
  dimFeedforward: 4,
  dropout: 0,
};
const rnn = { ...tiny, hiddenSize: 3, embedDim: 2 };
const dtypeOf = (dtype?: 'float64') => (dtype ? { dtype } : {});

/** Name, factory, and whether to gradcheck the whole model (layers are gradchecked on their own). */
const MODELS: [string, (dtype?: 'float64') => AnyModel, boolean][] = [
  ['Transformer post-norm', (dtype) => new Transformer(transformer, dtypeOf(dtype)), false],
  [
    'Transformer pre-norm, learned positions, tied head',
    (dtype) =>
      new Transformer(
        { ...transformer, normFirst: true, positional: 'learned', maxLength: 8, tieEmbeddings: true },
        dtypeOf(dtype),
      ),
    true,
  ],
  [
    'Seq2SeqRNN LSTM, 2 layers, no attention',
    (dtype) => new Seq2SeqRNN({ ...rnn, numLayers: 2, attention: 'none' }, dtypeOf(dtype)),
    true,
  ],
  [
    'Seq2SeqRNN LSTM, additive attention',
    (dtype) => new Seq2SeqRNN({ ...rnn, attention: 'additive' }, dtypeOf(dtype)),
    true,
  ],
  [
    'Seq2SeqRNN Elman RNN, no attention',
    (dtype) => new Seq2SeqRNN({ ...rnn, cell: 'rnn', attention: 'none' }, dtypeOf(dtype)),
    true,
  ],
  [
    'Seq2SeqRNN GRU, dot attention',
    (dtype) => new Seq2SeqRNN({ ...rnn, cell: 'gru', attention: 'dot' }, dtypeOf(dtype)),
    true,
  ],
];

const int = (rows: number[][]) => tensor(rows, { dtype: 'int32' });
const src = int([
  [3, 4, 5, 2],
  [5, 3, 2, 0],
]);
const tgtIn = int([
  [1, 5, 4, 3],
  [1, 3, 5, 0],
]);
const tgtOut = int([
  [5, 4, 3, 2],
  [3, 5, 2, 0],
]);

/** Logits of feeding `tgtIn` one token at a time through encode / decodeStep. */
function incremental(model: AnyModel, source = src, targets = tgtIn): Variable[] {
  let state = model.encode(source);
  const out: Variable[] = [];
  for (let t = 0; t < targets.shape[1]!; t++) {
    const step = model.decodeStep(state, targets.select(1, t).contiguous());
    out.push(step.logits);
    state = step.state;
  }
  return out;
}

for (const [name, make, checkGradients] of MODELS) {
  describe(name, () => {
    if (checkGradients)
      it('gradcheck of the loss over every parameter (float64, padded batch)', { timeout: 60_000 }, () => {
        manualSeed(1);
        const model = make('float64');
        const [s, i, o] = [src.narrow(1, 1, 3), tgtIn.narrow(1, 0, 2), tgtOut.narrow(1, 0, 2)];
        const report = gradcheckModule(model, () => model.loss(s, i, o), []);
        expect(report).toMatchObject({ ok: true });
      });

    it('incremental decoding (encode once, then decodeStep) gives the teacher-forced logits', () => {
      manualSeed(2);
      const model = make().eval();
      noGrad(() => {
        const full = model.forward(src, tgtIn).data;
        incremental(model).forEach((logits, t) => {
          // Row 1's last target is padding: only real positions are compared there.
          const rows = t === 3 ? 1 : 2;
          expect(
            maxAbsDiff(logits.data.narrow(0, 0, rows), full.select(1, t).narrow(0, 0, rows)),
          ).toBeLessThan(1e-5);
        });
      });
    });

    it('a padded batch gives each pair the logits it gets alone', () => {
      manualSeed(3);
      const model = make().eval();
      noGrad(() => {
        const batch = model.forward(src, tgtIn).data;
        const alone = model.forward(int([[5, 3, 2]]), int([[1, 3, 5]])).data;
        expect(maxAbsDiff(batch.narrow(0, 1, 1).narrow(1, 0, 3), alone)).toBeLessThan(1e-5);
      });
    });

    it('the loss ignores padding targets and decreases under a few SGD steps', () => {
      manualSeed(4);
      const model = make();
      const first = model.loss(src, tgtIn, tgtOut);
      const unpadded = model.loss(src.narrow(0, 0, 1), tgtIn.narrow(0, 0, 1), tgtOut.narrow(0, 0, 1)).item();
      const onlyRow1 = model.loss(src.narrow(0, 1, 1), tgtIn.narrow(0, 1, 1), tgtOut.narrow(0, 1, 1)).item();
      expect(first.item()).toBeCloseTo((4 * unpadded + 3 * onlyRow1) / 7, 5);
      let loss = first;
      for (let step = 0; step < 20; step++) {
        model.zeroGrad();
        loss.backward();
        for (const p of model.parameters()) p.data = p.data.sub(p.grad!.mul(0.5));
        loss = model.loss(src, tgtIn, tgtOut);
      }
      expect(loss.item()).toBeLessThan(first.item() * 0.8);
    });

    it('state.select expands and reorders rows', () => {
      manualSeed(5);
      const model = make().eval();
      noGrad(() => {
        const state = model.encode(src);
        const picked = state.select(tensor([1, 1, 0], { dtype: 'int32' }));
        expect(picked.batchSize).toBe(3);
        const a = model.decodeStep(picked as typeof state, int([[1, 1, 1]]).reshape([3])).logits.data;
        const b = model.decodeStep(model.encode(src), int([[1, 1]]).reshape([2])).logits.data;
        expect(maxAbsDiff(a.select(0, 0), b.select(0, 1))).toBeLessThan(1e-6);
        expect(maxAbsDiff(a.select(0, 1), b.select(0, 1))).toBeLessThan(1e-6);
        expect(maxAbsDiff(a.select(0, 2), b.select(0, 0))).toBeLessThan(1e-6);
      });
    });

    it('decodeStep({ attention: true }) returns weights over the source: rows sum to 1, 0 at padding', () => {
      manualSeed(7);
      const model = make().eval();
      const attends = !(model instanceof Seq2SeqRNN && model.config.attention === 'none');
      noGrad(() => {
        let state = model.encode(src);
        for (let t = 0; t < 2; t++) {
          const tokens = tgtIn.select(1, t).contiguous();
          const step = model.decodeStep(state, tokens, { attention: true });
          expect(model.decodeStep(model.encode(src), tokens).attention).toBeUndefined();
          state = step.state;
          if (!attends) {
            expect(step.attention).toBeUndefined();
            continue;
          }
          const w = step.attention!.toArray() as number[][];
          expect(step.attention!.shape).toEqual([2, 4]);
          for (const row of w) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
          expect(w[1]![3]).toBe(0); // src row 1 ends in padding
          expect(Math.min(...w[0]!)).toBeGreaterThan(0);
        }
      });
    });

    it('beam search with beam 1 equals greedy decoding', () => {
      manualSeed(6);
      const model = make().eval();
      const options = { bos: 1, eos: 2, maxLength: 6 };
      const greedy = greedyDecode(model, src, options);
      const beam = beamSearch(model, src, { ...options, beamSize: 1 });
      expect(beam.tokens).toEqual(greedy.tokens);
      beam.logProbs.forEach((lp, i) => expect(lp).toBeCloseTo(greedy.logProbs[i]!, 5));
    });

    it('rejects token tensors of the wrong dtype or shape', () => {
      const model = make();
      expect(() => model.forward(tensor([[1, 2]]), tgtIn)).toThrow(
        'src must be int32 token ids, got float32',
      );
      expect(() => model.forward(src, int([[1, 2]]))).toThrow(
        'tgtIn must be [2, T] with at least one position, got [1, 2]',
      );
      expect(() => model.loss(src, tgtIn, int([[1], [2]]))).toThrow(
        'tgtOut [2, 1] must have the length of tgtIn (4)',
      );
      expect(() => model.decodeStep(model.encode(src), int([[1, 1]]))).toThrow(
        'tokens must be int32 [2], got int32 [1, 2]',
      );
    });
  });
}
