import { Variable } from '@proj/autograd';
import { Generator, randn, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import fixture from '../../fixtures/vision.json';
import { type FixtureTensor, fromFixture, maxAbsDiff, stateDictFromFixture } from '../rnn/fixture-tensors.js';
import { fromTorchTransformerStateDict } from '../seq2seq/torch-names.js';
import { PatchEmbedding } from './patch-embedding.js';
import { ViT } from './vit.js';

// Fixture written by tooling/fixtures/vision_fixture.py: the same ViT in PyTorch (patch conv, class
// token, learned positions, nn.TransformerEncoder with norm_first and GELU, final LayerNorm, head).
const TOLERANCE = 2e-5;
const c = fixture.vit;

function fromTorch(): ViT {
  const vit = new ViT(c.config);
  vit.loadStateDict(
    fromTorchTransformerStateDict(stateDictFromFixture(c.state_dict as Record<string, FixtureTensor>)),
  );
  return vit;
}

describe('ViT', () => {
  it('matches the PyTorch model: logits, input and parameter gradients', () => {
    const vit = fromTorch();
    const x = new Variable(fromFixture(c.input), { requiresGrad: true });
    const logits = vit.forward(x);
    logits.mul(fromFixture(c.r)).sum().backward();
    const grads = fromTorchTransformerStateDict(
      stateDictFromFixture(c.grad_params as Record<string, FixtureTensor>),
    );
    const errors: Record<string, number> = {
      logits: maxAbsDiff(logits.data, fromFixture(c.logits)),
      'grad input': maxAbsDiff(x.grad!, fromFixture(c.grad_input)),
    };
    for (const [name, p] of vit.namedParameters()) errors[name] = maxAbsDiff(p.grad!, grads[name]!);
    expect(Object.entries(errors).filter(([, e]) => !(e <= TOLERANCE))).toEqual([]);
  });

  it("classAttention: each layer's class-token attention per head, as PyTorch's need_weights", () => {
    const maps = fromTorch().eval().classAttention(fromFixture(c.input));
    expect(maps).toHaveLength(c.class_attention.length);
    maps.forEach((m, i) => {
      expect(m.shape).toEqual([3, 2, 10]); // (B, heads, 1 + 3·3 patches)
      expect(maxAbsDiff(m, fromFixture(c.class_attention[i]!))).toBeLessThan(1e-6);
    });
  });

  it('parameters: patch projection, class token, positions, pre-norm encoder, head', () => {
    const vit = new ViT({
      imageSize: [28, 56],
      patchSize: 7,
      inChannels: 1,
      numClasses: 10,
      dim: 32,
      depth: 2,
      heads: 4,
    });
    const shapes = Object.fromEntries(vit.namedParameters().map(([n, p]) => [n, p.shape]));
    expect(shapes['patch_embed.proj.weight']).toEqual([32, 1, 7, 7]);
    expect(shapes.cls_token).toEqual([1, 1, 32]);
    expect(shapes.pos_embed).toEqual([1, 4 * 8 + 1, 32]);
    expect(shapes['encoder.layers.1.linear1.weight']).toEqual([128, 32]);
    expect(shapes['encoder.norm.weight']).toEqual([32]);
    expect(shapes['head.weight']).toEqual([10, 32]);
    expect(vit.encoder.layers.every((l) => l.normFirst)).toBe(true);
    expect(vit.forward(randn([2, 1, 28, 56], { generator: new Generator(0) })).shape).toEqual([2, 10]);
  });

  it('rejects images of another size or channel count, and patches that do not tile the image', () => {
    const vit = new ViT({
      imageSize: 28,
      patchSize: 7,
      inChannels: 1,
      numClasses: 10,
      dim: 16,
      depth: 1,
      heads: 2,
    });
    expect(() => vit.forward(tensor(0).expand([2, 1, 28, 27]))).toThrow(
      'PatchEmbedding: expected images [B, 1, 28, 28], got [2, 1, 28, 27]',
    );
    expect(() => new PatchEmbedding(28, 5, 1, 8)).toThrow(
      'PatchEmbedding: image 28x28 is not a multiple of patch 5x5',
    );
  });
});
