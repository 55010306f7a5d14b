import { registerBackend } from '@proj/tensor';
import { jsBackend } from '@proj/tensor/internal';
import { withoutFusedKernels } from '@proj/tensor/testing';
import { describe, expect, it } from 'vitest';
import { trainGPTOn } from '../testing/train-gpt-on.js';

/**
 * A backend with only the primitive kernels trains: layer norm, attention, GELU, cross-entropy and
 * the AdamW step run their defaults composed from primitives, and a few steps of a small GPT give the
 * fused kernels' losses. The defaults round to float32 after every op where the kernels keep double
 * precision inside a row, so the losses differ in their last float32 bits (about 1e-7 relative over
 * these six steps); 1e-5 relative leaves a hundredfold margin for Adam's amplification of the
 * gradients' rounding, and fails for any wrong gradient or update, which moves a loss by far more.
 */
registerBackend(withoutFusedKernels(jsBackend, 'primitives-only'));

async function losses(backend: string): Promise<number[]> {
  const { result } = await trainGPTOn(backend, {
    config: { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0 },
    train: Int32Array.from({ length: 2000 }, (_, i) => (i * 5) % 13), // a learnable cycle
    lr: 1e-2,
    maxIters: 6,
    seeds: [7, 11],
  });
  return result.history.steps.map(([, loss]) => loss);
}

describe('a backend without fused kernels', () => {
  it('trains a GPT to the losses of the fused kernels', async () => {
    const fused = await losses('js');
    const composed = await losses('primitives-only');
    expect(composed).toHaveLength(6);
    composed.forEach((loss, i) => expect(Math.abs(loss - fused[i]!)).toBeLessThan(1e-5 * fused[i]!));
    expect(fused.at(-1)!).toBeLessThan(fused[0]!); // it learns
  });
});
