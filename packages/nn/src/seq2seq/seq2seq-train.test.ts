import { Generator, manualSeed, randint, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import type { Module } from '../module.js';
import type { Seq2SeqModel } from './seq2seq-model.js';
import { Seq2SeqRNN } from './seq2seq-rnn.js';
import { Transformer } from './transformer.js';

// The README's "Sequence to sequence" example (reverse 5 digits, plain SGD), shortened to 30 steps.
function train(model: Seq2SeqModel & Module, lr: number, steps: number): number[] {
  const g = new Generator(0);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const src = randint(3, 10, [32, 5], { generator: g });
    const reversed = (src.toArray() as number[][]).map((row) => row.toReversed());
    const tgtIn = tensor(
      reversed.map((r) => [1, ...r]),
      { dtype: 'int32' },
    ); // BOS + target
    const tgtOut = tensor(
      reversed.map((r) => [...r, 2]),
      { dtype: 'int32' },
    ); // target + EOS
    model.zeroGrad();
    const loss = model.loss(src, tgtIn, tgtOut);
    loss.backward();
    for (const p of model.parameters()) p.data = p.data.sub(p.grad!.mul(lr)); // plain SGD
    losses.push(loss.item());
  }
  return losses;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('training on the toy reverse task', () => {
  it('Transformer: the loss goes down', { timeout: 60_000 }, () => {
    manualSeed(0);
    const model = new Transformer({
      srcVocabSize: 10,
      tgtVocabSize: 10,
      dModel: 32,
      nHead: 4,
      numEncoderLayers: 1,
      numDecoderLayers: 1,
      dimFeedforward: 64,
      dropout: 0,
    });
    const losses = train(model, 0.3, 30);
    expect(losses[0]).toBeGreaterThan(2); // ≈ ln 10 at the start
    expect(mean(losses.slice(-5))).toBeLessThan(0.75 * mean(losses.slice(0, 5)));
  });

  it('Seq2SeqRNN with attention: the loss goes down', { timeout: 60_000 }, () => {
    manualSeed(0);
    const model = new Seq2SeqRNN({ srcVocabSize: 10, tgtVocabSize: 10, hiddenSize: 32, attention: 'dot' });
    const losses = train(model, 2, 30);
    expect(losses[0]).toBeGreaterThan(2);
    expect(mean(losses.slice(-5))).toBeLessThan(0.75 * mean(losses.slice(0, 5)));
  });
});
