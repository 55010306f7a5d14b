import { noGrad, Variable } from '@proj/autograd';
import { applyLoRA, GPT, GPTWithValueHead, IGNORE_INDEX, nextTokenProbabilities } from '@proj/nn';
import { Generator, randn, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { tokenEntropy, tokenLogprobs } from './logprobs.js';
import { referenceLogprobs, sampleCompletions, scoreSequences } from './rollout.js';
import { sequenceBatch } from './sequences.js';

const config = { vocabSize: 11, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16 };
const prompts = [[1, 2, 3], [4, 5, 6], [7], [2, 9, 9, 1]];
const settings = [
  {},
  { temperature: 0.7 },
  { temperature: 1.3, topK: 4 },
  { topP: 0.8 },
  { temperature: 0.9, topK: 6, topP: 0.9 },
];

describe('tokenLogprobs', () => {
  it('is log of the distribution sampling draws from (temperature, top-k, top-p), 0 where ignored', () => {
    const logits = randn([2, 3, 7], { generator: new Generator(1) });
    const targets = tensor(
      [
        [3, IGNORE_INDEX, 0],
        [6, 1, 2],
      ],
      { dtype: 'int32' },
    );
    for (const processing of settings) {
      const got = tokenLogprobs(new Variable(logits), targets, processing).toArray() as number[][];
      for (let b = 0; b < 2; b++) {
        const probs = nextTokenProbabilities(logits.select(0, b), processing).toArray() as number[][];
        for (let t = 0; t < 3; t++) {
          const target = (targets.toArray() as number[][])[b]![t]!;
          if (target === IGNORE_INDEX) expect(got[b]![t]).toBe(0);
          else if (probs[t]![target]! > 0) expect(got[b]![t]).toBeCloseTo(Math.log(probs[t]![target]!), 5);
        }
      }
    }
  });

  it('keeps a target the filters would drop finite (float rounding between cached and full passes)', () => {
    const logits = new Variable(tensor([[[5, 4, 0, -3]]]), { requiresGrad: true });
    const lp = tokenLogprobs(logits, tensor([[3]], { dtype: 'int32' }), { topK: 1 });
    expect(lp.item()).toBeCloseTo(-3 - Math.log(Math.exp(5) + Math.exp(-3)), 5);
    lp.sum().backward();
    expect((logits.grad!.toArray() as number[][][])[0]![0]![1]).toBe(0); // a dropped token gets no gradient
  });

  it('has entropy −Σ p log p of the sampling distribution', () => {
    const logits = randn([1, 2, 5], { generator: new Generator(2) });
    const processing = { temperature: 0.8, topK: 3 };
    const h = tokenEntropy(logits, processing).toArray() as number[][];
    const p = nextTokenProbabilities(logits.select(0, 0), processing).toArray() as number[][];
    const expected = p[1]!.reduce((s, q) => (q > 0 ? s - q * Math.log(q) : s), 0);
    expect(h[0]![1]).toBeCloseTo(expected, 6);
  });

  it('scores sampled completions with the probabilities generate sampled them from (KV cache, step by step)', () => {
    const model = new GPT(config, { generator: new Generator(3) }).eval();
    for (const processing of settings) {
      const completions = sampleCompletions(model, prompts, {
        ...processing,
        maxNewTokens: 6,
        generator: new Generator(4),
      });
      const batch = sequenceBatch(prompts, completions);
      const scored = scoreSequences(model, batch, { processing }).logprobs.toArray() as number[][];
      noGrad(() => {
        prompts.forEach((prompt, row) => {
          // replay the sampling: the cache filled with the prompt, then one token at a time
          const cache = model.createCache();
          let input = [...prompt];
          completions[row]!.forEach((token, step) => {
            const { logits } = model.forward(tensor([input], { dtype: 'int32' }), null, { cache });
            const probs = nextTokenProbabilities(
              logits.data.select(1, input.length - 1),
              processing,
            ).toArray() as number[][];
            expect(scored[row]![prompt.length - 1 + step]).toBeCloseTo(Math.log(probs[0]![token]!), 4);
            input = [token];
          });
        });
      });
    }
  });
});

describe('sampleCompletions', () => {
  it('decodes prompts of different lengths as one left-padded batch: greedy completions equal each prompt alone', () => {
    const model = new GPT(config, { generator: new Generator(9) }).eval();
    const options = { temperature: 0, maxNewTokens: 7, stopTokens: [10] };
    const together = sampleCompletions(model, prompts, { ...options, generator: new Generator(1) });
    const alone = prompts.map(
      (p) => sampleCompletions(model, [p], { ...options, generator: new Generator(1) })[0],
    );
    expect(together).toEqual(alone);
    for (const c of together) {
      const stop = c.indexOf(10);
      expect(stop < 0 ? c.length : stop + 1).toBe(c.length); // cut after the first stop token
    }
  });
});

describe('the reference before the first update', () => {
  it('gives exactly the policy log-probabilities: a frozen copy, and the policy with its (fresh) LoRA adapters disabled', () => {
    const processing = { temperature: 0.7, topK: 5 };
    const reference = new GPT(config, { generator: new Generator(5) });
    const policy = GPTWithValueHead.fromGPT(reference, { generator: new Generator(6) });
    const completions = sampleCompletions(policy, prompts, {
      ...processing,
      maxNewTokens: 8,
      generator: new Generator(7),
    });
    const batch = sequenceBatch(prompts, completions);
    const own = scoreSequences(policy, batch, { processing });
    expect(referenceLogprobs(policy, reference, batch, { processing }).toArray()).toEqual(
      own.logprobs.toArray(),
    );
    applyLoRA(policy, { r: 2, targetModules: ['c_attn', 'c_proj'], generator: new Generator(8) });
    const adapted = scoreSequences(policy, batch, { processing }).logprobs;
    expect(referenceLogprobs(policy, 'adapters', batch, { processing }).toArray()).toEqual(adapted.toArray());
    expect(adapted.toArray()).toEqual(own.logprobs.toArray());
  });
});
