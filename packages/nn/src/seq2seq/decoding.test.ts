import { type Variable, variable } from '@proj/autograd';
import { type Tensor, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { beamSearch, greedyDecode } from './decoding.js';
import { type Seq2SeqModel, type Seq2SeqState, seq2seqLoss } from './seq2seq-model.js';

// Tokens: 0 pad, 1 bos, 2 eos, 3 A, 4 B.
const [BOS, EOS, A, B] = [1, 2, 3, 4];

class BigramState implements Seq2SeqState {
  constructor(readonly batchSize: number) {}
  select(index: Tensor): BigramState {
    return new BigramState(index.size);
  }
}

/**
 * A seq2seq "model" whose next-token distribution depends only on the previous token, from a table
 * of probabilities: every hypothesis score can be computed by hand.
 */
class BigramModel implements Seq2SeqModel<BigramState> {
  readonly config: { srcVocabSize: number; tgtVocabSize: number; padId: number };
  readonly training = false;
  constructor(
    private readonly table: Record<number, Record<number, number>>,
    vocabSize = 5,
  ) {
    this.config = { srcVocabSize: 1, tgtVocabSize: vocabSize, padId: 0 };
  }

  private logits(prev: number): number[] {
    return Array.from({ length: this.config.tgtVocabSize }, (_, v) =>
      Math.log(this.table[prev]?.[v] ?? 1e-9),
    );
  }
  forward(_src: Tensor, tgtIn: Tensor): Variable {
    const rows = (tgtIn.toArray() as number[][]).map((row) => row.map((p) => this.logits(p)));
    return variable(rows, { dtype: 'float64' });
  }
  loss(src: Tensor, tgtIn: Tensor, tgtOut: Tensor): Variable {
    return seq2seqLoss('BigramModel.loss', this.forward(src, tgtIn), tgtOut, 0);
  }
  encode(src: Tensor): BigramState {
    return new BigramState(src.shape[0]!);
  }
  decodeStep(state: BigramState, tokens: Tensor) {
    const rows = Array.from(tokens.data(), (p) => this.logits(p));
    return { logits: variable(rows, { dtype: 'float64' }), state };
  }
}

const src = tensor([[3]], { dtype: 'int32' });

describe('beam search vs greedy on a constructed distribution', () => {
  // Greedy takes A (0.55) and then wanders among A/B/EOS at ~1/3 each; B is rarer first but then
  // ends at once with 0.9: "B EOS" has probability 0.405, far above any continuation of A.
  const model = new BigramModel({
    [BOS]: { [A]: 0.55, [B]: 0.45 },
    [A]: { [A]: 0.34, [B]: 0.33, [EOS]: 0.33 },
    [B]: { [EOS]: 0.9, [A]: 0.05, [B]: 0.05 },
  });

  it('greedy follows the locally best token', () => {
    const greedy = greedyDecode(model, src, { bos: BOS, eos: EOS, maxLength: 3 });
    expect(greedy.tokens).toEqual([[A, A, A]]);
    expect(greedy.logProbs[0]).toBeCloseTo(Math.log(0.55 * 0.34 * 0.34), 6);
  });

  it('beam search finds the more probable sequence greedy misses', () => {
    const beam = beamSearch(model, src, { bos: BOS, eos: EOS, maxLength: 3, beamSize: 2, lengthPenalty: 0 });
    expect(beam.tokens).toEqual([[B, EOS]]);
    expect(beam.logProbs[0]).toBeCloseTo(Math.log(0.45 * 0.9), 6);
    expect(beam.logProbs[0]).toBeGreaterThan(
      greedyDecode(model, src, { bos: BOS, eos: EOS, maxLength: 3 }).logProbs[0]!,
    );
    // Finished in ranking order: "B EOS" at step 2, "A B EOS" at step 3 (0.55·0.33·0.9).
    expect(beam.hypotheses[0]!.map((h) => h.tokens)).toEqual([
      [B, EOS],
      [A, B, EOS],
    ]);
    expect(beam.hypotheses[0]![1]!.logProb).toBeCloseTo(Math.log(0.55 * 0.33 * 0.9), 6);
  });

  it('beam 1 is greedy, token for token', () => {
    const beam = beamSearch(model, src, { bos: BOS, eos: EOS, maxLength: 3, beamSize: 1 });
    expect(beam.tokens).toEqual([[A, A, A]]);
    expect(beam.logProbs[0]).toBeCloseTo(Math.log(0.55 * 0.34 * 0.34), 6);
  });
});

describe('stopping', () => {
  // The likely answer is "A C D EOS" (0.9⁴), but at every step EOS is among the top 2 candidates
  // at a low probability: "EOS" and "A EOS" finish first. A row must not stop at 2 finished
  // hypotheses while a live one can still beat them (it did, returning "A EOS" where greedy finds
  // "A C D EOS").
  const [C, D] = [5, 6];
  const model = new BigramModel(
    {
      [BOS]: { [A]: 0.9, [EOS]: 0.05, [B]: 0.05 },
      [A]: { [C]: 0.9, [EOS]: 0.05, [B]: 0.05 },
      [C]: { [D]: 0.9, [EOS]: 0.05, [B]: 0.05 },
      [D]: { [EOS]: 0.9, [B]: 0.1 },
      [B]: { [EOS]: 0.5, [B]: 0.5 },
    },
    7,
  );

  it('goes on while a live hypothesis can beat the finished ones', () => {
    const options = { bos: BOS, eos: EOS, maxLength: 6 };
    expect(greedyDecode(model, src, options).tokens).toEqual([[A, C, D, EOS]]);
    for (const lengthPenalty of [0, 1]) {
      const beam = beamSearch(model, src, { ...options, beamSize: 2, lengthPenalty });
      expect(beam.tokens).toEqual([[A, C, D, EOS]]);
      expect(beam.logProbs[0]).toBeCloseTo(4 * Math.log(0.9), 6);
      expect(beam.hypotheses[0]).toHaveLength(2);
    }
  });
});

describe('length penalty', () => {
  // "EOS" alone: p 0.4 (log −0.92 in 1 token). "A B EOS": p 0.6·0.6·0.6 = 0.216 (log −1.53, −0.51 a token).
  const model = new BigramModel({
    [BOS]: { [A]: 0.6, [EOS]: 0.4 },
    [A]: { [B]: 0.6, [EOS]: 0.4 },
    [B]: { [EOS]: 0.6, [A]: 0.4 },
  });

  it('α = 0 ranks by total log-probability: the short answer', () => {
    const beam = beamSearch(model, src, { bos: BOS, eos: EOS, maxLength: 4, beamSize: 3, lengthPenalty: 0 });
    expect(beam.tokens).toEqual([[EOS]]);
    expect(beam.scores[0]).toBeCloseTo(Math.log(0.4), 6);
  });

  it('α = 1 ranks by log-probability per token: the longer answer', () => {
    const beam = beamSearch(model, src, { bos: BOS, eos: EOS, maxLength: 4, beamSize: 3, lengthPenalty: 1 });
    expect(beam.tokens).toEqual([[A, B, EOS]]);
    expect(beam.scores[0]).toBeCloseTo(Math.log(0.216) / 3, 6);
    expect(beam.logProbs[0]).toBeCloseTo(Math.log(0.216), 6);
  });
});

describe('batches and limits', () => {
  const model = new BigramModel({ [BOS]: { [A]: 0.7, [EOS]: 0.3 }, [A]: { [A]: 0.8, [EOS]: 0.2 } });

  it('stops at maxLength without EOS, and decodes every row of a batch', () => {
    const batch = tensor([[3], [4]], { dtype: 'int32' });
    expect(greedyDecode(model, batch, { bos: BOS, eos: EOS, maxLength: 4 }).tokens).toEqual([
      [A, A, A, A],
      [A, A, A, A],
    ]);
    const beam = beamSearch(model, batch, {
      bos: BOS,
      eos: EOS,
      maxLength: 4,
      beamSize: 2,
      lengthPenalty: 0,
    });
    // The unfinished "A A A A" (0.7·0.8³ ≈ 0.358) counts as finished at maxLength and beats "EOS" (0.3).
    expect(beam.tokens).toEqual([
      [A, A, A, A],
      [A, A, A, A],
    ]);
    expect(beam.logProbs[0]).toBeCloseTo(Math.log(0.7 * 0.8 ** 3), 6);
    expect(beam.hypotheses[0]!.map((h) => h.tokens)).toEqual([[A, A, A, A], [EOS]]);
  });

  it('rejects a beam size that is not a positive integer', () => {
    expect(() => beamSearch(model, src, { bos: BOS, eos: EOS, beamSize: 0 })).toThrow(
      'beamSearch: beamSize must be a positive integer, got 0',
    );
  });
});
