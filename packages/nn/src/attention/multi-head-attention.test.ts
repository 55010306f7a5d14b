import { noGrad, type Variable } from '@proj/autograd';
import { Generator, randn, type Tensor, tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { AttentionCache } from './kv-cache.js';
import { MultiHeadAttention } from './multi-head-attention.js';

const f64 = { dtype: 'float64' as const };
const gen = (seed: number) => new Generator(seed);
const values = (v: Variable) => Array.from(v.data.data());

/** Naive float64 attention with explicit loops: `out[b][t] = c_proj(concat_h softmax(q·k/√hs) v)`. */
function reference(
  m: MultiHeadAttention,
  x: number[][][],
  context: number[][][] = x,
  /** `weights`, when given, receives the attention probabilities as `weights[b][h][t][s]`. */
  options: { causal?: boolean; padded?: boolean[][]; weights?: number[][][][] } = {},
): number[][][] {
  const W = m.c_attn.weight.toArray() as number[][];
  const bias = (m.c_attn.bias?.toArray() as number[]) ?? W.map(() => 0);
  const P = m.c_proj.weight.toArray() as number[][];
  const pb = (m.c_proj.bias?.toArray() as number[]) ?? P.map(() => 0);
  const { nHead, nKVHead, headSize: hs } = m;
  const project = (row: number[], r: number) => bias[r]! + row.reduce((s, xi, i) => s + xi * W[r]![i]!, 0);
  return x.map((seq, b) =>
    seq.map((xt, t) => {
      const heads: number[] = [];
      for (let h = 0; h < nHead; h++) {
        const kvh = Math.floor(h / (nHead / nKVHead));
        const q = Array.from({ length: hs }, (_, j) => project(xt, h * hs + j));
        const keys = context[b]!.map((cs) =>
          Array.from({ length: hs }, (_, j) => project(cs, nHead * hs + kvh * hs + j)),
        );
        const vals = context[b]!.map((cs) =>
          Array.from({ length: hs }, (_, j) => project(cs, (nHead + nKVHead) * hs + kvh * hs + j)),
        );
        const scores = keys.map((k, s) => {
          const hidden = (options.causal && s > t) || options.padded?.[b]?.[s];
          return hidden
            ? Number.NEGATIVE_INFINITY
            : q.reduce((a, qi, j) => a + qi * k[j]!, 0) / Math.sqrt(hs);
        });
        const peak = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - peak));
        const z = e.reduce((a, c) => a + c, 0);
        if (options.weights) ((options.weights[b] ??= [])[h] ??= [])[t] = e.map((v) => v / z);
        for (let j = 0; j < hs; j++) heads.push(vals.reduce((a, v, s) => a + (e[s]! / z) * v[j]!, 0));
      }
      return P.map((row, o) => pb[o]! + row.reduce((s, w, i) => s + w * heads[i]!, 0));
    }),
  );
}

function expectClose(actual: Variable, expected: number[][][], tol = 1e-9) {
  const a = values(actual);
  const e = expected.flat(2);
  expect(a.length).toBe(e.length);
  const worst = Math.max(...a.map((v, i) => Math.abs(v - e[i]!)));
  expect(worst).toBeLessThan(tol);
}

describe('MultiHeadAttention', () => {
  it('self-attention matches a loop-by-loop reference, with and without the causal mask', () => {
    const m = new MultiHeadAttention(8, 2, { ...f64, generator: gen(1) });
    const x = randn([2, 5, 8], { ...f64, generator: gen(2) });
    const out = m.forward(x);
    expect(out.shape).toEqual([2, 5, 8]);
    expectClose(out, reference(m, x.toArray() as number[][][]));
    expectClose(
      m.forward(x, { causal: true }),
      reference(m, x.toArray() as number[][][], undefined, { causal: true }),
    );
  });

  it('grouped-query heads (nKVHead < nHead) match the reference', () => {
    const m = new MultiHeadAttention(12, 4, { ...f64, nKVHead: 2, generator: gen(3) });
    expect(m.c_attn.weight.shape).toEqual([(4 + 2 * 2) * 3, 12]);
    const x = randn([2, 4, 12], { ...f64, generator: gen(4) });
    const xs = x.toArray() as number[][][];
    expectClose(m.forward(x, { causal: true }), reference(m, xs, undefined, { causal: true }));
    const padded = [
      [false, false, true, true],
      [false, false, false, false],
    ];
    const out = m.forward(x, { keyPaddingMask: tensor(padded, { dtype: 'bool' }) });
    expectClose(out, reference(m, xs, undefined, { padded }));
  });

  it('cross-attention takes keys and values from the context', () => {
    const m = new MultiHeadAttention(8, 2, { ...f64, generator: gen(5) });
    const x = randn([2, 3, 8], { ...f64, generator: gen(6) });
    const context = randn([2, 6, 8], { ...f64, generator: gen(7) });
    const out = m.forward(x, { context });
    expect(out.shape).toEqual([2, 3, 8]);
    expectClose(out, reference(m, x.toArray() as number[][][], context.toArray() as number[][][]));
  });

  it('onWeights receives the probabilities the output was computed with', () => {
    const expectWeights = (actual: Tensor | undefined, expected: number[][][][]) => {
      expect(actual?.shape).toEqual([
        expected.length,
        expected[0]!.length,
        expected[0]![0]!.length,
        expected[0]![0]![0]!.length,
      ]);
      const worst = Math.max(...Array.from(actual!.data(), (v, i) => Math.abs(v - expected.flat(3)[i]!)));
      expect(worst).toBeLessThan(1e-12);
    };
    // grouped-query self-attention, causal and padded
    const gqa = new MultiHeadAttention(12, 4, { ...f64, nKVHead: 2, generator: gen(40) });
    const x = randn([2, 4, 12], { ...f64, generator: gen(41) });
    const padded = [
      [false, false, false, true],
      [false, false, false, false],
    ];
    let got: Tensor | undefined;
    const expected: number[][][][] = [];
    gqa.forward(x, {
      causal: true,
      keyPaddingMask: tensor(padded, { dtype: 'bool' }),
      onWeights: (w) => (got = w),
    });
    reference(gqa, x.toArray() as number[][][], undefined, { causal: true, padded, weights: expected });
    expectWeights(got, expected);
    // cross-attention over a padded context, on the first call and from the cache
    const m = new MultiHeadAttention(8, 2, { ...f64, generator: gen(42) });
    const query = randn([2, 3, 8], { ...f64, generator: gen(43) });
    const context = randn([2, 5, 8], { ...f64, generator: gen(44) });
    const contextPadding = [
      [false, false, false, false, false],
      [false, false, true, true, true],
    ];
    const crossExpected: number[][][][] = [];
    reference(m, query.toArray() as number[][][], context.toArray() as number[][][], {
      padded: contextPadding,
      weights: crossExpected,
    });
    const cache = new AttentionCache(5);
    for (let call = 0; call < 2; call++) {
      got = undefined;
      const keyPaddingMask = tensor(contextPadding, { dtype: 'bool' });
      m.forward(query, { context, cache, keyPaddingMask, onWeights: (w) => (got = w) });
      expectWeights(got, crossExpected);
    }
  });

  it('is causal: changing a future token never changes earlier outputs', () => {
    const m = new MultiHeadAttention(8, 2, { causal: true, generator: gen(8) });
    const x = randn([1, 6, 8], { generator: gen(9) });
    const before = m.forward(x).toArray() as number[][][];
    const changed = x.clone();
    changed.narrow(1, 4, 1).assign(randn([1, 1, 8], { generator: gen(10) }));
    const after = m.forward(changed).toArray() as number[][][];
    for (let t = 0; t < 4; t++) expect(after[0]![t]).toEqual(before[0]![t]);
    expect(after[0]![4]).not.toEqual(before[0]![4]);
  });

  it('a key-padding mask hides padded keys: padded outputs equal the unpadded sequence', () => {
    const m = new MultiHeadAttention(8, 2, { ...f64, generator: gen(11) });
    const short = randn([1, 3, 8], { ...f64, generator: gen(12) });
    const padded = randn([1, 5, 8], { ...f64, generator: gen(13) });
    padded.narrow(1, 0, 3).assign(short);
    const mask = tensor([[false, false, false, true, true]], { dtype: 'bool' });
    const masked = m.forward(padded, { keyPaddingMask: mask }).narrow(1, 0, 3);
    expectClose(masked, m.forward(short).toArray() as number[][][], 1e-12);
    // the padded keys do matter without the mask
    const unmasked = m.forward(padded).narrow(1, 0, 3);
    expect(Math.abs(values(unmasked)[0]! - values(masked)[0]!)).toBeGreaterThan(1e-6);
  });

  it('combines a bool mask and a float mask with the padding mask', () => {
    const m = new MultiHeadAttention(4, 1, { ...f64, generator: gen(14) });
    const x = randn([1, 3, 4], { ...f64, generator: gen(15) });
    const keyPaddingMask = tensor([[false, false, true]], { dtype: 'bool' });
    const causal = m.forward(x, { causal: true, keyPaddingMask });
    const bool = tensor(
      [
        [true, false, false],
        [true, true, false],
        [true, true, true],
      ],
      { dtype: 'bool' },
    );
    expectClose(m.forward(x, { mask: bool, keyPaddingMask }), causal.toArray() as number[][][], 1e-12);
    const additive = tensor(
      [
        [0, -Infinity, -Infinity],
        [0, 0, -Infinity],
        [0, 0, 0],
      ],
      f64,
    );
    expectClose(m.forward(x, { mask: additive, keyPaddingMask }), causal.toArray() as number[][][], 1e-12);
  });

  it('decoding with a KV cache one token at a time equals the full causal pass', () => {
    for (const options of [{}, { nKVHead: 1 }, { rotary: true }]) {
      const m = new MultiHeadAttention(8, 2, { ...f64, causal: true, generator: gen(16), ...options });
      const x = randn([2, 5, 8], { ...f64, generator: gen(17) });
      const full = m.forward(x);
      const cache = new AttentionCache(8);
      const steps = noGrad(() => [
        m.forward(x.narrow(1, 0, 2), { cache }), // a 2-token prompt
        ...[2, 3, 4].map((t) => m.forward(x.narrow(1, t, 1), { cache })),
      ]);
      expect(cache.length).toBe(5);
      const arrays = steps.map((s) => s.toArray() as number[][][]); // [step][B][t][C]
      expectClose(
        full,
        [0, 1].map((b) => arrays.flatMap((a) => a[b]!)),
        1e-12,
      );
    }
  });

  it('a cross-attention cache projects the context once and reuses it', () => {
    const m = new MultiHeadAttention(8, 2, { ...f64, generator: gen(18) });
    const context = randn([1, 4, 8], { ...f64, generator: gen(19) });
    const x = randn([1, 1, 8], { ...f64, generator: gen(20) });
    const cache = new AttentionCache(4);
    const first = noGrad(() => m.forward(x, { context, cache }));
    const second = noGrad(() => m.forward(x, { context: randn([1, 4, 8], f64), cache }));
    expect(values(second)).toEqual(values(first));
    expectClose(first, reference(m, x.toArray() as number[][][], context.toArray() as number[][][]));
  });

  it('rotary embeddings make attention depend on relative positions only', () => {
    const m = new MultiHeadAttention(8, 2, { ...f64, causal: true, rotary: true, generator: gen(21) });
    const x = randn([1, 4, 8], { ...f64, generator: gen(22) });
    const at0 = m.forward(x);
    expectClose(m.forward(x, { positionOffset: 7 }), at0.toArray() as number[][][], 1e-12);
    const plain = new MultiHeadAttention(8, 2, { ...f64, causal: true, generator: gen(21) });
    expect(
      Math.max(...values(plain.forward(x)).map((v, i) => Math.abs(v - values(at0)[i]!))),
    ).toBeGreaterThan(1e-6);
  });

  it('attention dropout is active in training mode only and follows its generator', () => {
    const make = () => new MultiHeadAttention(8, 2, { dropout: 0.5, residDropout: 0.1, generator: gen(23) });
    const x = randn([1, 4, 8], { generator: gen(24) });
    const a = make();
    const b = make();
    expect(values(a.forward(x))).toEqual(values(b.forward(x)));
    const noDropout = new MultiHeadAttention(8, 2, { generator: gen(23) });
    expect(values(a.forward(x))).not.toEqual(values(noDropout.forward(x)));
    a.eval();
    expect(values(a.forward(x))).toEqual(values(noDropout.forward(x)));
  });

  it('passes gradcheck: self (causal, padded, rotary, grouped) and cross-attention', () => {
    const m = new MultiHeadAttention(4, 2, {
      ...f64,
      nKVHead: 1,
      rotary: true,
      causal: true,
      generator: gen(25),
    });
    const x = randn([2, 3, 4], { ...f64, generator: gen(26) });
    const keyPaddingMask = tensor(
      [
        [false, false, true],
        [false, false, false],
      ],
      { dtype: 'bool' },
    );
    expect(gradcheckModule(m, (v) => m.forward(v, { keyPaddingMask }), [x]).ok).toBe(true);
    const cross = new MultiHeadAttention(4, 2, { ...f64, generator: gen(27) });
    const context = randn([2, 2, 4], { ...f64, generator: gen(28) });
    const report = gradcheckModule(cross, (v, c) => cross.forward(v, { context: c }), [x, context]);
    expect(report.ok).toBe(true);
  });

  it('rejects bad configurations and shapes with clear errors', () => {
    expect(() => new MultiHeadAttention(10, 3)).toThrow(/not divisible by nHead 3/);
    expect(() => new MultiHeadAttention(8, 4, { nKVHead: 3 })).toThrow(/not divisible by nKVHead 3/);
    const m = new MultiHeadAttention(8, 2);
    expect(() => m.forward(randn([2, 3, 6]))).toThrow(/x must be \[B, T, 8\], got \[2, 3, 6\]/);
    expect(() =>
      m.forward(randn([2, 3, 8]), { keyPaddingMask: tensor([[1, 0, 0]], { dtype: 'bool' }) }),
    ).toThrow(/keyPaddingMask must be \[B, S\] = \[2, 3\]/);
    const cache = new AttentionCache(2);
    expect(() => noGrad(() => m.forward(randn([1, 3, 8]), { cache }))).toThrow(/exceed the capacity 2/);
  });
});
