import { noGrad } from '@proj/autograd';
import { Generator, randint, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { generate } from '../generation/generate.js';
import { applyLoRA, loraLayers } from '../lora/apply-lora.js';
import { GPT } from '../models/gpt.js';
import { GPTRewardModel } from './gpt-reward-model.js';
import { GPTWithValueHead } from './gpt-with-value-head.js';

const config = { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };
const gpt = () => new GPT(config, { generator: new Generator(0) });
const ids = randint(0, 13, [3, 6], { generator: new Generator(1) });

describe('GPTWithValueHead', () => {
  it("copies a GPT: the same logits, a value per position, TRL's v_head names", () => {
    const base = gpt().eval();
    const model = GPTWithValueHead.fromGPT(base, { generator: new Generator(2) }).eval();
    const out = model.forward(ids);
    expect(out.logits.data.toArray()).toEqual(base.forward(ids).logits.data.toArray());
    expect(out.values.shape).toEqual([3, 6]);
    expect(Object.keys(model.stateDict()).slice(-2)).toEqual([
      'v_head.summary.weight',
      'v_head.summary.bias',
    ]);
    // a copy: training the policy leaves the reference as it was
    expect(model.transformer.wte.weight).not.toBe(base.transformer.wte.weight);
    // the value at position t reads the hidden state at t
    const h = out.hidden.toArray() as number[][][];
    const w = (model.v_head.summary.weight.toArray() as number[][])[0]!;
    const expected = h[1]![4]!.reduce((s, x, c) => s + x * w[c]!, model.v_head.summary.bias!.item());
    expect((out.values.toArray() as number[][])[1]![4]).toBeCloseTo(expected, 5);
  });

  it('is a GPT: it generates, trains its head, and takes LoRA adapters on c_attn by default', () => {
    const model = new GPTWithValueHead(config, { generator: new Generator(3) }).eval();
    expect(generate(model, [1, 2], { maxNewTokens: 3, temperature: 0 }).shape).toEqual([1, 5]);
    model.forward(ids).values.sum().backward();
    expect(model.v_head.summary.weight.grad).toBeDefined();
    applyLoRA(model, { r: 2 });
    expect(loraLayers(model).map(([p]) => p)).toEqual([
      'transformer.h.0.attn.c_attn',
      'transformer.h.1.attn.c_attn',
    ]);
  });

  it('refuses a GPT with LoRA adapters', () => {
    const adapted = applyLoRA(gpt(), { r: 2 });
    expect(() => GPTWithValueHead.fromGPT(adapted)).toThrow(/merge or unload its LoRA adapters/);
  });
});

describe('GPTRewardModel', () => {
  it("reads the score at each row's last real token, whatever the padding after it", () => {
    const model = new GPTRewardModel(config, { generator: new Generator(4) }).eval();
    const rows = [
      [1, 2, 3, 4, 0, 0],
      [5, 6, 0, 0, 0, 0],
      [7, 8, 9, 10, 11, 12],
    ];
    const { rewards, scores } = model.forward(tensor(rows, { dtype: 'int32' }), [4, 2, 6]);
    expect(rewards.shape).toEqual([3]);
    const r = rewards.data.toArray() as number[];
    const s = scores.toArray() as number[][];
    expect(r).toEqual([s[0]![3], s[1]![1], s[2]![5]]);
    // the same rows padded differently (or not at all) get the same rewards
    const alone = model.forward(tensor([[5, 6]], { dtype: 'int32' })).rewards.data.item();
    expect(alone).toBeCloseTo(r[1]!, 6);
    const repadded = model.forward(tensor([[1, 2, 3, 4, 9, 9, 9]], { dtype: 'int32' }), [4]);
    expect(repadded.rewards.data.item()).toBeCloseTo(r[0]!, 6);
  });

  it("shares a GPT's trunk, names its parameters as Hugging Face's GPT2ForSequenceClassification", () => {
    const base = gpt();
    const model = new GPTRewardModel(base, { generator: new Generator(5) });
    expect(model.transformer).toBe(base.transformer);
    const names = Object.keys(model.stateDict());
    expect(names[0]).toBe('transformer.wte.weight');
    expect(names.at(-1)).toBe('score.weight');
    expect(names).not.toContain('lm_head.weight');
    expect(model.score.bias).toBeNull();
    const fresh = new GPTRewardModel(config);
    expect(() => fresh.loadStateDict(model.stateDict())).not.toThrow();
  });

  it('backpropagates into the trunk and the head, and takes LoRA adapters on c_attn by default', () => {
    const model = new GPTRewardModel(config, { generator: new Generator(6) });
    model.forward(ids, [6, 3, 1]).rewards.sum().backward();
    expect(model.score.weight.grad).toBeDefined();
    expect(model.transformer.h[0]!.attn.c_attn.weight.grad).toBeDefined();
    applyLoRA(model, { r: 2 });
    expect(loraLayers(model)).toHaveLength(2);
  });

  it('names a bad length', () => {
    const model = new GPTRewardModel(config);
    expect(() => noGrad(() => model.forward(ids, [6, 0, 1]))).toThrow(/lengths\[1\] is 0, outside \[1, 6\]/);
    expect(() => model.forward(ids, [6])).toThrow(/1 lengths for 3 sequences/);
  });
});
