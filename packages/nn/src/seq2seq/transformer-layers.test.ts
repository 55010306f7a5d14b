import { manualSeed, randn, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../rnn/fixture-tensors.js';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { TransformerDecoderLayer, TransformerEncoderLayer } from './transformer-layers.js';
import { TransformerDecoder, TransformerEncoder } from './transformer-stacks.js';

const tiny = { dimFeedforward: 6, dropout: 0, dtype: 'float64' as const };
const padding = tensor([
  [false, false, false],
  [false, false, true],
]);

describe('parameter names mirror torch.nn.TransformerEncoderLayer / DecoderLayer', () => {
  it('in PyTorch order, with attention as c_attn / c_proj', () => {
    const attn = (p: string) => [
      `${p}.c_attn.weight`,
      `${p}.c_attn.bias`,
      `${p}.c_proj.weight`,
      `${p}.c_proj.bias`,
    ];
    const ff = ['linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias'];
    const norms = (n: number) =>
      Array.from({ length: n }, (_, i) => [`norm${i + 1}.weight`, `norm${i + 1}.bias`]).flat();
    expect(Object.keys(new TransformerEncoderLayer(8, 2).stateDict())).toEqual([
      ...attn('self_attn'),
      ...ff,
      ...norms(2),
    ]);
    expect(Object.keys(new TransformerDecoderLayer(8, 2).stateDict())).toEqual([
      ...attn('self_attn'),
      ...attn('multihead_attn'),
      ...ff,
      ...norms(3),
    ]);
    const stack = new TransformerEncoder(8, 2, { numLayers: 2 });
    expect(Object.keys(stack.stateDict()).filter((k) => !k.startsWith('layers.'))).toEqual([
      'norm.weight',
      'norm.bias',
    ]);
    expect(Object.keys(new TransformerDecoder(8, 2, { numLayers: 1, norm: false }).stateDict()).at(-1)).toBe(
      'layers.0.norm3.bias',
    );
  });
});

describe('gradients (float64 gradcheck over inputs and every parameter)', () => {
  for (const normFirst of [false, true]) {
    it(`encoder layer, ${normFirst ? 'pre' : 'post'}-norm, with source key padding`, () => {
      manualSeed(1);
      const layer = new TransformerEncoderLayer(4, 2, { ...tiny, normFirst, activation: 'gelu' });
      const report = gradcheckModule(layer, (x) => layer.forward(x!, { keyPaddingMask: padding }), [
        randn([2, 3, 4], tiny),
      ]);
      expect(report).toMatchObject({ ok: true });
    });

    it(`decoder layer, ${normFirst ? 'pre' : 'post'}-norm, causal + target and memory padding`, () => {
      manualSeed(2);
      const layer = new TransformerDecoderLayer(4, 2, { ...tiny, normFirst });
      const report = gradcheckModule(
        layer,
        (y, m) =>
          layer.forward(y!, m!, {
            tgtKeyPaddingMask: tensor([
              [false, false],
              [false, true],
            ]),
            memoryKeyPaddingMask: padding,
          }),
        [randn([2, 2, 4], tiny), randn([2, 3, 4], tiny)],
      );
      expect(report).toMatchObject({ ok: true });
    });
  }
});

describe('semantics', () => {
  it('the decoder is causal: later target positions do not change earlier outputs', () => {
    manualSeed(3);
    const layer = new TransformerDecoderLayer(8, 2, tiny);
    const memory = randn([1, 3, 8], tiny);
    const y = randn([1, 4, 8], tiny);
    const changed = y.clone();
    changed.narrow(1, 3, 1).assign(randn([1, 1, 8], tiny));
    const a = layer.forward(y, memory).data;
    const b = layer.forward(changed, memory).data;
    expect(maxAbsDiff(a.narrow(1, 0, 3), b.narrow(1, 0, 3))).toBeLessThan(1e-12);
    expect(maxAbsDiff(a.narrow(1, 3, 1), b.narrow(1, 3, 1))).toBeGreaterThan(1e-3);
    const bidirectional = layer.forward(changed, memory, { causal: false }).data;
    expect(maxAbsDiff(a.narrow(1, 0, 3), bidirectional.narrow(1, 0, 3))).toBeGreaterThan(1e-3);
  });

  it('padded source positions do not affect the other positions', () => {
    manualSeed(4);
    const encoder = new TransformerEncoder(8, 2, { ...tiny, numLayers: 2 });
    const x = randn([2, 3, 8], tiny);
    const junk = x.clone();
    junk.narrow(0, 1, 1).narrow(1, 2, 1).assign(100);
    const a = encoder.forward(x, { keyPaddingMask: padding }).data;
    const b = encoder.forward(junk, { keyPaddingMask: padding }).data;
    expect(maxAbsDiff(a.narrow(1, 0, 2), b.narrow(1, 0, 2))).toBeLessThan(1e-12);
    expect(maxAbsDiff(a.narrow(0, 0, 1), b.narrow(0, 0, 1))).toBe(0);
  });

  it('dropout is active in training mode only', () => {
    manualSeed(5);
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.5 });
    const x = randn([2, 3, 8]);
    const train = layer.forward(x).data;
    const evalOut = layer.eval().forward(x).data;
    expect(maxAbsDiff(train, evalOut)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(evalOut, layer.forward(x).data)).toBe(0);
  });
});
