import { noGrad } from '@proj/autograd';
import { Generator, randint, type Tensor, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { GPT, GPT_DEFAULTS } from './gpt.js';

/** nanoGPT's Shakespeare-char CPU config (config/train_shakespeare_char.py, scaled down for CPU). */
const shakespeareChar = { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, bias: false };
const tiny = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };
const ids = (rows: number[][]) => tensor(rows, { dtype: 'int32' });
const stats = (t: Tensor) => {
  const v = Array.from(t.data());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
};

describe('GPT', () => {
  it('names its parameters as nanoGPT, with lm_head tied to wte', () => {
    const model = new GPT({ ...tiny, nLayer: 1 });
    expect(model.namedParameters().map(([n, p]) => `${n} [${p.shape.join(',')}]`)).toEqual([
      'transformer.wte.weight [11,8]',
      'transformer.wpe.weight [8,8]',
      'transformer.h.0.ln_1.weight [8]',
      'transformer.h.0.ln_1.bias [8]',
      'transformer.h.0.attn.c_attn.weight [24,8]',
      'transformer.h.0.attn.c_attn.bias [24]',
      'transformer.h.0.attn.c_proj.weight [8,8]',
      'transformer.h.0.attn.c_proj.bias [8]',
      'transformer.h.0.ln_2.weight [8]',
      'transformer.h.0.ln_2.bias [8]',
      'transformer.h.0.mlp.c_fc.weight [32,8]',
      'transformer.h.0.mlp.c_fc.bias [32]',
      'transformer.h.0.mlp.c_proj.weight [8,32]',
      'transformer.h.0.mlp.c_proj.bias [8]',
      'transformer.ln_f.weight [8]',
      'transformer.ln_f.bias [8]',
    ]);
    expect(model.lm_head.weight).toBe(model.transformer.wte.weight);
    expect(Object.keys(model.stateDict())).toContain('lm_head.weight');
  });

  it("counts parameters as nanoGPT's get_num_params (0.80M for Shakespeare-char)", () => {
    const model = new GPT(shakespeareChar, { generator: new Generator(0) });
    const { vocabSize: V, blockSize: P, nLayer: L, nEmbd: C } = shakespeareChar;
    // per block: ln_1, ln_2 weights (2C) + c_attn (3C²) + attn c_proj (C²) + c_fc (4C²) + mlp c_proj (4C²)
    const perBlock = 2 * C + 12 * C * C;
    const nonEmbedding = V * C + L * perBlock + C; // wte (shared with lm_head) + blocks + ln_f
    expect(nonEmbedding).toBe(795904);
    expect(model.numParameters()).toBe(nonEmbedding);
    expect((model.numParameters() / 1e6).toFixed(2)).toBe('0.80');
    expect(model.numParameters({ nonEmbedding: false })).toBe(nonEmbedding + P * C);
    // with biases: + c_attn 3C, c_proj C, c_fc 4C, mlp c_proj C, ln biases 2C per block, ln_f bias C
    const biased = new GPT({ ...shakespeareChar, bias: true }, { generator: new Generator(0) });
    expect(biased.numParameters()).toBe(nonEmbedding + L * 11 * C + C);
  });

  it('initialises as nanoGPT: N(0, 0.02), scaled residual projections, zero biases, unit norms', () => {
    const model = new GPT({ ...shakespeareChar, bias: true }, { generator: new Generator(1) });
    const sd = model.stateDict();
    const wte = stats(sd['transformer.wte.weight']!);
    expect(Math.abs(wte.mean)).toBeLessThan(1e-3);
    expect(wte.std).toBeCloseTo(0.02, 3);
    expect(stats(sd['transformer.h.0.attn.c_attn.weight']!).std).toBeCloseTo(0.02, 3);
    const scaled = 0.02 / Math.sqrt(2 * 4);
    expect(stats(sd['transformer.h.3.mlp.c_proj.weight']!).std).toBeCloseTo(scaled, 3);
    expect(stats(sd['transformer.h.1.attn.c_proj.weight']!).std).toBeCloseTo(scaled, 3);
    expect(Array.from(sd['transformer.h.2.mlp.c_fc.bias']!.data()).every((v) => v === 0)).toBe(true);
    expect(Array.from(sd['transformer.h.2.ln_1.weight']!.data()).every((v) => v === 1)).toBe(true);
    const again = new GPT({ ...shakespeareChar, bias: true }, { generator: new Generator(1) });
    expect(Array.from(again.stateDict()['transformer.h.0.mlp.c_fc.weight']!.data())).toEqual(
      Array.from(sd['transformer.h.0.mlp.c_fc.weight']!.data()),
    );
  });

  it('returns [B, T, V] logits and the mean cross-entropy, skipping targets of -1', () => {
    const model = new GPT(tiny, { dtype: 'float64', generator: new Generator(2) });
    const x = ids([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    const y = ids([
      [2, 3, 4, 5],
      [6, 7, -1, -1],
    ]);
    const { logits, loss } = model.forward(x, y);
    expect(logits.shape).toEqual([2, 4, 11]);
    // independent loss: log-sum-exp by hand over the six counted targets
    const rows = logits.toArray() as number[][][];
    const targets = y.toArray() as number[][];
    let total = 0;
    let count = 0;
    rows.forEach((seq, b) =>
      seq.forEach((row, t) => {
        const target = targets[b]![t]!;
        if (target < 0) return;
        const peak = Math.max(...row);
        total += peak + Math.log(row.reduce((s, v) => s + Math.exp(v - peak), 0)) - row[target]!;
        count++;
      }),
    );
    expect(loss!.item()).toBeCloseTo(total / count, 10);
    expect(loss!.item()).toBeCloseTo(Math.log(11), 1); // small init: near-uniform predictions
    expect(model.forward(x).loss).toBeUndefined();
  });

  it('is causal: changing a future token never changes earlier logits', () => {
    const model = new GPT(tiny, { generator: new Generator(3) });
    const a = model.forward(ids([[1, 2, 3, 4, 5, 6]])).logits.toArray() as number[][][];
    const b = model.forward(ids([[1, 2, 3, 9, 5, 6]])).logits.toArray() as number[][][];
    for (let t = 0; t < 3; t++) expect(b[0]![t]).toEqual(a[0]![t]);
    expect(b[0]![3]).not.toEqual(a[0]![3]);
  });

  it('decoding with its KV cache gives the logits of the full pass', () => {
    const model = new GPT(tiny, { dtype: 'float64', generator: new Generator(4) });
    const x = randint(0, 11, [2, 7], { generator: new Generator(5) });
    const full = model.forward(x).logits;
    const cache = model.createCache();
    const parts = noGrad(() => [
      model.forward(x.narrow(1, 0, 3).contiguous(), null, { cache }).logits,
      ...[3, 4, 5, 6].map((t) => model.forward(x.narrow(1, t, 1).contiguous(), null, { cache }).logits),
    ]);
    expect(cache.length).toBe(7);
    let worst = 0;
    let t0 = 0;
    for (const part of parts) {
      const T = part.shape[1]!;
      const expected = full.data.narrow(1, t0, T);
      worst = Math.max(worst, expected.sub(part.data).abs().max().item());
      t0 += T;
    }
    expect(worst).toBeLessThan(1e-12);
    expect(() => noGrad(() => model.forward(ids([[1, 2]]), null, { cache }))).toThrow(
      /cannot forward 2 tokens at position 7, block size is only 8/,
    );
  });

  it('onAttentionWeights gives each block its attention probabilities, in layer order, cached or not', () => {
    const model = new GPT(tiny, { dtype: 'float64', generator: new Generator(6) });
    const x = randint(0, 11, [2, 5], { generator: new Generator(7) });
    const seen: [number, Tensor][] = [];
    noGrad(() => model.forward(x, null, { onAttentionWeights: (layer, w) => seen.push([layer, w]) }));
    expect(seen.map(([layer, w]) => [layer, w.shape])).toEqual([
      [0, [2, 2, 5, 5]],
      [1, [2, 2, 5, 5]],
    ]);
    // what each block's attention gives on that block's input
    const { wte, wpe, h } = model.transformer;
    let hidden = noGrad(() => wte.forward(x).add(wpe.forward(5, 0)));
    h.forEach((block, i) => {
      let direct: Tensor | undefined;
      noGrad(() => block.attn.forward(block.ln_1.forward(hidden), { onWeights: (w) => (direct = w) }));
      expect(seen[i]![1].sub(direct!).abs().max().item()).toBe(0);
      hidden = noGrad(() => block.forward(hidden));
    });
    // one cached step sees the new token's row over every position so far
    const cache = model.createCache();
    const steps: Tensor[] = [];
    noGrad(() => {
      model.forward(x.narrow(1, 0, 4).contiguous(), null, { cache });
      model.forward(x.narrow(1, 4, 1).contiguous(), null, {
        cache,
        onAttentionWeights: (_, w) => steps.push(w),
      });
    });
    expect(steps.map((w) => w.shape)).toEqual([
      [2, 2, 1, 5],
      [2, 2, 1, 5],
    ]);
    for (let i = 0; i < 2; i++)
      expect(
        steps[i]!.sub(seen[i]![1].narrow(2, 4, 1))
          .abs()
          .max()
          .item(),
      ).toBeLessThan(1e-12);
  });

  it('passes gradcheck through every parameter (float64, tied head)', () => {
    const model = new GPT(
      { vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 4 },
      { dtype: 'float64', generator: new Generator(6) },
    );
    const x = ids([[0, 3, 1, 4]]);
    const y = ids([[3, 1, 4, 2]]);
    const report = gradcheckModule(model, () => model.forward(x, y).loss!, []);
    expect(report.worst).not.toBeNull();
    expect(report.ok).toBe(true);
  });

  it('learns: plain gradient descent drives the loss on a fixed sequence down', () => {
    const model = new GPT(tiny, { generator: new Generator(7) });
    const x = ids([[1, 2, 3, 4, 5, 6, 7, 8]]);
    const y = ids([[2, 3, 4, 5, 6, 7, 8, 9]]);
    const first = model.forward(x, y).loss!.item();
    let last = first;
    for (let step = 0; step < 60; step++) {
      model.zeroGrad();
      const { loss } = model.forward(x, y);
      loss!.backward();
      for (const p of model.parameters()) p.data = p.data.sub(p.grad!.mul(0.5));
      last = loss!.item();
    }
    expect(first).toBeGreaterThan(2);
    expect(last).toBeLessThan(0.5);
  });

  it('a config entry passed as undefined keeps its default, as an omitted one', () => {
    const model = new GPT({ ...tiny, dropout: undefined, bias: undefined });
    expect(model.config).toEqual({ ...GPT_DEFAULTS, ...tiny });
    expect(model.transformer.drop.p).toBe(0);
    expect(model.transformer.ln_f.bias).not.toBeNull();
  });

  it('validates its config and inputs', () => {
    expect(GPT_DEFAULTS).toMatchObject({
      vocabSize: 50304,
      blockSize: 1024,
      nLayer: 12,
      nHead: 12,
      nEmbd: 768,
    });
    expect(() => new GPT({ ...tiny, nHead: 3 })).toThrow(/nEmbd 8 is not divisible by nHead 3/);
    expect(() => new GPT({ ...tiny, nLayer: 0 })).toThrow(/config.nLayer must be a positive integer/);
    const model = new GPT(tiny);
    expect(() => model.forward(tensor([[1, 2]]))).toThrow(/ids must be int32, got float32/);
    expect(() => model.forward(ids([[1, 2, 3, 4, 5, 6, 7, 8, 9]]))).toThrow(/block size is only 8/);
    expect(() => model.forward(ids([[1, 2]]), ids([[1, 2, 3]]))).toThrow(
      /targets \[1, 3\] must match ids \[1, 2\]/,
    );
  });

  it('cropBlockSize keeps the first position embeddings', () => {
    const model = new GPT(tiny, { generator: new Generator(8) });
    const before = model.transformer.wpe.weight.data.narrow(0, 0, 4).toArray();
    model.cropBlockSize(4);
    expect(model.config.blockSize).toBe(4);
    expect(model.transformer.wpe.weight.shape).toEqual([4, 8]);
    expect(model.transformer.wpe.weight.toArray()).toEqual(before);
    expect(() => model.forward(ids([[1, 2, 3, 4, 5]]))).toThrow(/block size is only 4/);
  });
});
