import type { Variable } from '@proj/autograd';
import { Variable as V } from '@proj/autograd';
import { Generator, randn, type Tensor, tensor, zeros } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { GPT } from '../models/gpt.js';
import type { LanguageModel, LanguageModelCache } from '../models/language-model.js';
import { generate } from './generate.js';

/** A model whose next token is always (last token + 1) mod vocab, and which records its inputs. */
class Counter implements LanguageModel {
  readonly config = { vocabSize: 10, blockSize: 4 };
  readonly training = false;
  readonly inputs: number[][][] = [];
  forward(ids: Tensor): { logits: Variable } {
    this.inputs.push(ids.toArray() as number[][]);
    const [B, T] = ids.shape as [number, number];
    const logits = zeros([B, T, 10]);
    const x = ids.data();
    for (let i = 0; i < B * T; i++) logits.storage[i * 10 + ((x[i]! + 1) % 10)] = 5;
    return { logits: new V(logits) };
  }
}

const tiny = { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
const rows = (t: Tensor) => t.toArray() as number[][];

describe('generate', () => {
  it('appends tokens chosen from the last position and crops the context to blockSize', () => {
    const model = new Counter();
    const out = generate(model, [7, 8], { maxNewTokens: 5, temperature: 0 });
    expect(rows(out)).toEqual([[7, 8, 9, 0, 1, 2, 3]]);
    expect(model.inputs.map((x) => x[0])).toEqual([
      [7, 8],
      [7, 8, 9],
      [7, 8, 9, 0],
      [8, 9, 0, 1],
      [9, 0, 1, 2],
    ]);
  });

  it('stops a row at a stop token and ends when every row has stopped', () => {
    const model = new Counter();
    const ids = tensor(
      [
        [1, 2],
        [4, 5],
      ],
      { dtype: 'int32' },
    );
    const out = generate(model, ids, { maxNewTokens: 10, temperature: 0, stopTokens: [4, 8] });
    expect(rows(out)).toEqual([
      [1, 2, 3, 4, 4],
      [4, 5, 6, 7, 8],
    ]);
    expect(rows(generate(model, [0], { maxNewTokens: 0 }))).toEqual([[0]]);
  });

  it('greedy decoding gives the same ids with and without the KV cache, past blockSize', () => {
    const model = new GPT(tiny, { generator: new Generator(1) }).eval();
    // larger weights than the 0.02 init, so greedy decoding does not settle on one token
    const g = new Generator(3);
    for (const p of model.parameters()) p.data = randn(p.shape, { std: 0.5, generator: g });
    const prompt = tensor(
      [
        [1, 5, 2],
        [3, 3, 9],
      ],
      { dtype: 'int32' },
    );
    const cached = generate(model, prompt, { maxNewTokens: 12, temperature: 0 });
    const uncached = generate(model, prompt, { maxNewTokens: 12, temperature: 0, useCache: false });
    expect(cached.shape).toEqual([2, 15]);
    expect(rows(cached)).toEqual(rows(uncached));
    expect(new Set(rows(cached)[0]!.slice(3)).size).toBeGreaterThan(1);
  });

  it('a fixed generator gives identical samples on every run', () => {
    const model = new GPT(tiny, { generator: new Generator(2) }).eval();
    const sample = (seed: number) =>
      rows(
        generate(model, [1, 2], { maxNewTokens: 20, topK: 8, topP: 0.95, generator: new Generator(seed) }),
      );
    const a = sample(7);
    expect(sample(7)).toEqual(a);
    expect(sample(8)).not.toEqual(a);
  });

  it('works with a model without a cache and validates its inputs', () => {
    const model = new Counter() as LanguageModel<LanguageModelCache>;
    expect(() => generate(model, [], { maxNewTokens: 1 })).toThrow(/prompt is empty/);
    expect(() => generate(model, tensor([[1]]), { maxNewTokens: 1 })).toThrow(/ids must be int32/);
    expect(() => generate(model, [1], { maxNewTokens: -1 })).toThrow(
      /maxNewTokens must be a non-negative integer/,
    );
  });

  it('stops with an error naming the step when the model produces NaN or +Infinity logits', () => {
    /** A Counter whose logits turn to `bad` from its `from`-th call on. */
    class Broken extends Counter {
      constructor(
        private readonly bad: number,
        private readonly from: number,
      ) {
        super();
      }
      override forward(ids: Tensor): { logits: Variable } {
        const out = super.forward(ids);
        const logits = out.logits.data.storage;
        if (this.inputs.length >= this.from) logits[logits.length - 10 + 3] = this.bad; // last position, token 3
        return out;
      }
    }
    for (const temperature of [0, 1]) {
      expect(() => generate(new Broken(Number.NaN, 1), [7], { maxNewTokens: 3, temperature })).toThrow(
        'generate: the model produced non-finite logits at step 1 (row 0 holds NaN at index 3)',
      );
    }
    expect(() => generate(new Broken(Number.POSITIVE_INFINITY, 2), [7], { maxNewTokens: 3 })).toThrow(
      /at step 2 \(row 0 holds Infinity at index 3\)/,
    );
  });
});
