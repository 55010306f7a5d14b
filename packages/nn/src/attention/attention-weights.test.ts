import { Generator, randn } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../rnn/fixture-tensors.js';
import { attentionWeights } from './attention-weights.js';
import { MultiHeadAttention } from './multi-head-attention.js';

describe('attentionWeights', () => {
  for (const [label, options] of [
    ['plain heads', {}],
    ['causal, grouped-query heads, rotary positions', { causal: true, nKVHead: 2, rotary: true }],
  ] as const) {
    it(`${label}: the weights times the values give the layer's own output`, () => {
      const generator = new Generator(3);
      const attn = new MultiHeadAttention(16, 4, { ...options, generator });
      const x = randn([2, 5, 16], { generator });
      const weights = attentionWeights(attn, x); // (B, nh, T, T)
      expect(weights.shape).toEqual([2, 4, 5, 5]);
      for (const row of weights.data.sum(-1).data()) expect(row).toBeCloseTo(1, 6);
      const { nHead: nh, nKVHead: nkv, headSize: hs } = attn;
      const v = attn.c_attn
        .forwardSlice(x, (nh + nkv) * hs, nkv * hs)
        .view([2, 5, nkv, 1, hs])
        .expand([2, 5, nkv, nh / nkv, hs])
        .reshape([2, 5, nh, hs])
        .transpose(1, 2); // (B, nh, T, hs)
      const heads = weights.matmul(v).transpose(1, 2).reshape([2, 5, 16]);
      expect(maxAbsDiff(attn.c_proj.forward(heads).data, attn.forward(x).data)).toBeLessThan(1e-5);
    });
  }
});
