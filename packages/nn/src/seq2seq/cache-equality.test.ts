import type { Variable } from '@proj/autograd';
import { Variable as V } from '@proj/autograd';
import { Generator, randint, type Tensor, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { beamSearch, greedyDecode } from './decoding.js';
import type { Seq2SeqModel, Seq2SeqState } from './seq2seq-model.js';
import { Transformer } from './transformer.js';

/** The state of {@link Refeeding}: the sources and every target token so far, per row. */
class PrefixState implements Seq2SeqState {
  constructor(
    readonly src: Tensor,
    readonly prefixes: number[][],
  ) {}
  get batchSize(): number {
    return this.prefixes.length;
  }
  select(index: Tensor): PrefixState {
    const rows = Array.from(index.data());
    return new PrefixState(
      this.src.indexSelect(0, index.to('int32')),
      rows.map((r) => [...this.prefixes[r]!]),
    );
  }
}

/**
 * A model decoded without any cache: each step runs the whole teacher-forcing forward over the
 * source and every target token so far and keeps the last position.
 */
class Refeeding implements Seq2SeqModel<PrefixState> {
  constructor(private readonly model: Transformer) {}
  get config() {
    return this.model.config;
  }
  get training() {
    return this.model.training;
  }
  forward(src: Tensor, tgtIn: Tensor): Variable {
    return this.model.forward(src, tgtIn);
  }
  loss(src: Tensor, tgtIn: Tensor, tgtOut: Tensor): Variable {
    return this.model.loss(src, tgtIn, tgtOut);
  }
  encode(src: Tensor): PrefixState {
    return new PrefixState(
      src,
      Array.from({ length: src.shape[0]! }, () => []),
    );
  }
  decodeStep(state: PrefixState, tokens: Tensor) {
    const prefixes = state.prefixes.map((p, b) => [...p, tokens.data()[b]!]);
    const logits = this.model.forward(state.src, tensor(prefixes, { dtype: 'int32' })).data; // (B, T, V)
    return {
      logits: new V(logits.select(1, logits.shape[1]! - 1)),
      state: new PrefixState(state.src, prefixes),
    };
  }
}

/**
 * A small Transformer trained a few dozen steps to reverse its source (token 1 BOS, 2 EOS): far from
 * converged, so its greedy and beam outputs differ and vary from row to row.
 */
function transformer(seed: number): Transformer {
  const g = new Generator(seed);
  const model = new Transformer(
    {
      srcVocabSize: 11,
      tgtVocabSize: 11,
      dModel: 16,
      nHead: 2,
      numEncoderLayers: 1,
      numDecoderLayers: 2,
      dimFeedforward: 32,
      dropout: 0,
    },
    { generator: g },
  );
  for (let step = 0; step < 40; step++) {
    const src = randint(3, 11, [16, 5], { generator: g });
    const reversed = (src.toArray() as number[][]).map((row) => row.toReversed());
    const tgtIn = tensor(
      reversed.map((r) => [1, ...r]),
      { dtype: 'int32' },
    );
    const tgtOut = tensor(
      reversed.map((r) => [...r, 2]),
      { dtype: 'int32' },
    );
    model.zeroGrad();
    model.loss(src, tgtIn, tgtOut).backward();
    for (const p of model.parameters()) p.data = p.data.sub(p.grad!.mul(0.3));
  }
  return model.eval();
}

describe('decoding with the KV cache equals re-feeding the prefix', () => {
  const src = randint(3, 11, [3, 5], { generator: new Generator(9) });
  const options = { bos: 1, eos: 2, maxLength: 12 };

  it('greedy decoding of the encoder-decoder Transformer: the same tokens and log-probabilities', () => {
    for (const seed of [1, 2]) {
      const model = transformer(seed);
      const cached = greedyDecode(model, src, options);
      const refed = greedyDecode(new Refeeding(model), src, options);
      expect(cached.tokens).toEqual(refed.tokens);
      expect(new Set(cached.tokens.flat()).size).toBeGreaterThan(2);
      cached.logProbs.forEach((lp, b) => expect(lp).toBeCloseTo(refed.logProbs[b]!, 4));
    }
  });

  it('beam search: the same hypotheses, scores and ranking', () => {
    const model = transformer(3);
    for (const beamSize of [2, 4]) {
      const cached = beamSearch(model, src, { ...options, beamSize });
      const refed = beamSearch(new Refeeding(model), src, { ...options, beamSize });
      expect(cached.tokens).toEqual(refed.tokens);
      expect(cached.hypotheses.map((hs) => hs.map((h) => h.tokens))).toEqual(
        refed.hypotheses.map((hs) => hs.map((h) => h.tokens)),
      );
      cached.scores.forEach((s, b) => expect(s).toBeCloseTo(refed.scores[b]!, 4));
    }
  });
});
