import { Generator, randint } from '@proj/tensor';
import { getBackend } from '@proj/tensor/internal';
import { describe, expect, it, vi } from 'vitest';
import { GPT } from '../models/gpt.js';
import { applyLoRA } from './apply-lora.js';

// B·T = 15 is no other dimension of this model (16 wide, 64 hidden, 2 heads of 8, vocab 20, r 4),
// so a product summing over 15 is a weight gradient (dW = dYᵀ·X sums over the batch's tokens)
const [B, T, r] = [3, 5, 4];
const ids = randint(0, 20, [B, T], { generator: new Generator(1) });
const targets = randint(0, 20, [B, T], { generator: new Generator(2) });

/** `[m, n]` of every product of one training step's forward and backward that sums over the B·T tokens. */
function weightGradientProducts(model: GPT): [number, number][] {
  const spy = vi.spyOn(getBackend(), 'matmul');
  try {
    model.forward(ids, targets).loss!.backward();
    return spy.mock.calls.filter(([args]) => args.k === B * T).map(([args]) => [args.m, args.n]);
  } finally {
    spy.mockRestore();
  }
}

describe('a LoRA training step', () => {
  const model = () =>
    new GPT({ vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 }, { generator: new Generator(0) });

  it('computes no weight gradient for a frozen matrix, only those of A and B', () => {
    const full = weightGradientProducts(model());
    expect(full).toContainEqual([48, 16]); // c_attn's dW in full finetuning
    expect(full).toContainEqual([20, 16]); // lm_head's (= wte's) dW
    const lora = applyLoRA(model(), { r, alpha: 8, targetModules: ['c_attn', 'c_proj', 'c_fc'] });
    const products = weightGradientProducts(lora);
    expect(products).toHaveLength(2 * 8); // dA and dB of 8 adapted layers
    expect(products.every(([m, n]) => m === r || n === r)).toBe(true);
    for (const [name, p] of lora.namedParameters())
      expect(p.grad === null, name).toBe(!name.includes('.lora_'));
  });
});
