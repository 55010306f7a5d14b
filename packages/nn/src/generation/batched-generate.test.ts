import { noGrad } from '@proj/autograd';
import { Generator, logSoftmax, randn, type Tensor, tensor, wasmStats } from '@proj/tensor';
import { storageReuseStats } from '@proj/tensor/internal';
import { describe, expect, it } from 'vitest';
import { packWeights } from '../inference/packed-weights.js';
import { Linear } from '../layers/linear.js';
import { GPT } from '../models/gpt.js';
import { generate, generateSequences } from './generate.js';

const tiny = { vocabSize: 29, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16 };
const rows = (t: Tensor) => t.toArray() as number[][];

/** A small GPT with weights large enough that greedy decoding does not settle on one token. */
function model(seed: number): GPT {
  const gpt = new GPT(tiny, { generator: new Generator(seed) }).eval();
  const g = new Generator(seed + 100);
  for (const p of gpt.parameters()) p.data = randn(p.shape, { std: 0.5, generator: g });
  return gpt;
}

/** Log-probabilities of `tokens` continuing `prompt`, from one uncached forward of the whole sequence. */
function scoreOf(gpt: GPT, prompt: number[], tokens: number[], temperature: number): number[] {
  const ids = tensor([[...prompt, ...tokens]], { dtype: 'int32' });
  const logits = noGrad(() => gpt.forward(ids).logits.data); // (1, T, V)
  const logp = logSoftmax(logits.div(temperature), -1).toArray() as number[][][];
  return tokens.map((t, i) => logp[0]![prompt.length - 1 + i]![t]!);
}

describe('batched generation', () => {
  it('left-pads prompts of different lengths: each row gets the tokens it gets alone', () => {
    const gpt = model(1);
    const prompts = [[3], [5, 1, 7, 2], [9, 9]];
    const out = generateSequences(gpt, prompts, { maxNewTokens: 8, temperature: 0, padTokenId: 0 });
    expect(out.promptLength).toBe(4);
    expect(out.sequences.shape).toEqual([3, 12]);
    const masks = rows(out.attentionMask);
    prompts.forEach((prompt, b) => {
      const alone = rows(generate(gpt, prompt, { maxNewTokens: 8, temperature: 0 }))[0]!;
      const row = rows(out.sequences)[b]!;
      expect(row.slice(4 - prompt.length)).toEqual(alone);
      expect(row.slice(0, 4 - prompt.length).every((t) => t === 0)).toBe(true);
      expect(masks[b]).toEqual(row.map((_, j) => (j < 4 - prompt.length ? 0 : 1)));
    });
    // past the block size the cache restarts on cropped, still padded, windows: cached = uncached
    const long = { maxNewTokens: 20, temperature: 0 };
    expect(rows(generate(gpt, prompts, long))).toEqual(
      rows(generate(gpt, prompts, { ...long, useCache: false })),
    );
  });

  it('takes a padded ids tensor with its attention mask, and refuses masks that are not left padding', () => {
    const gpt = model(2);
    const ids = tensor(
      [
        [0, 0, 4, 5],
        [1, 2, 3, 4],
      ],
      { dtype: 'int32' },
    );
    const mask = tensor(
      [
        [0, 0, 1, 1],
        [1, 1, 1, 1],
      ],
      { dtype: 'int32' },
    );
    const fromTensor = rows(generate(gpt, ids, { maxNewTokens: 5, temperature: 0, attentionMask: mask }));
    expect(fromTensor).toEqual(
      rows(
        generate(
          gpt,
          [
            [4, 5],
            [1, 2, 3, 4],
          ],
          { maxNewTokens: 5, temperature: 0 },
        ),
      ),
    );
    const right = tensor(
      [
        [1, 1, 0, 0],
        [1, 1, 1, 1],
      ],
      { dtype: 'int32' },
    );
    expect(() => generate(gpt, ids, { maxNewTokens: 1, attentionMask: right })).toThrow(
      'generate: attentionMask row 0 must be left padding (zeros, then ones, at least one), got [1, 1, 0, 0]',
    );
    expect(() =>
      generate(gpt, ids, { maxNewTokens: 1, attentionMask: tensor([[1, 1]], { dtype: 'int32' }) }),
    ).toThrow('generate: attentionMask [1, 2] must match ids [2, 4]');
    expect(() => generate(gpt, [[1], []], { maxNewTokens: 1 })).toThrow('generate: prompt 1 is empty');
  });

  it('returns each generated token log-probability as a forward of the whole sequence scores it', () => {
    const gpt = model(3);
    for (const [temperature, topK] of [
      [0, undefined],
      [0.7, 5],
    ] as const) {
      const prompts = [
        [2, 3],
        [4, 4, 4],
      ];
      const out = generateSequences(gpt, prompts, {
        maxNewTokens: 6,
        temperature,
        topK,
        generator: new Generator(5),
        outputLogProbs: true,
      });
      expect(out.logProbs!.shape).toEqual([2, 6]);
      const logProbs = out.logProbs!.toArray() as number[][];
      prompts.forEach((prompt, b) => {
        const tokens = rows(out.sequences)[b]!.slice(3);
        const want = scoreOf(gpt, prompt, tokens, temperature || 1);
        logProbs[b]!.forEach((lp, i) => expect(lp).toBeCloseTo(want[i]!, 4));
      });
    }
  });

  it('marks the repeats after a stop token out of the mask, with log-probability 0', () => {
    const gpt = model(4);
    const free = rows(
      generate(
        gpt,
        [
          [1, 2],
          [3, 4],
        ],
        { maxNewTokens: 6, temperature: 0 },
      ),
    );
    const stop = free[0]![3]!; // row 0's second generated token
    const out = generateSequences(
      gpt,
      [
        [1, 2],
        [3, 4],
      ],
      { maxNewTokens: 6, temperature: 0, stopTokens: [stop], outputLogProbs: true },
    );
    const seq = rows(out.sequences);
    const at = seq[0]!.indexOf(stop, 2);
    const mask = rows(out.attentionMask)[0]!;
    expect(mask.slice(0, at + 1).every((v) => v === 1)).toBe(true);
    expect(mask.slice(at + 1).every((v) => v === 0)).toBe(true);
    expect(seq[0]!.slice(at).every((t) => t === stop)).toBe(true);
    const lp = (out.logProbs!.toArray() as number[][])[0]!;
    expect(lp.slice(at - 1).every((v) => v === 0)).toBe(true);
    expect(lp[at - 2]).toBeLessThan(0);
  });

  it('computes the same logits with packed float32 weights as unpacked, and bfloat16 as its rounded weights', () => {
    const gpt = model(5);
    const prompts = [
      [1, 2, 3],
      [7, 8, 9],
    ];
    const run = (o: object) =>
      generateSequences(gpt, prompts, { maxNewTokens: 6, temperature: 0, outputLogProbs: true, ...o });
    const unpacked = run({ packWeights: false });
    const packed = run({});
    expect(rows(packed.sequences)).toEqual(rows(unpacked.sequences));
    expect(packed.logProbs!.toArray()).toEqual(unpacked.logProbs!.toArray());
    const bf16 = run({ weightDtype: 'bfloat16' });
    // the same model with every Linear weight (the head's too, untied) rounded to bfloat16, unpacked
    const rounded = new GPT({ ...tiny, tieWordEmbeddings: false }).eval();
    const state = gpt.stateDict();
    const linears = rounded.namedModules().filter(([, m]) => m instanceof Linear);
    for (const [path] of linears) {
      const name = `${path}.weight`;
      state[name] = roundBfloat16(
        name === 'lm_head.weight' ? state['transformer.wte.weight']! : state[name]!,
      );
    }
    rounded.loadStateDict(state);
    const want = generateSequences(rounded, prompts, {
      maxNewTokens: 6,
      temperature: 0,
      outputLogProbs: true,
      packWeights: false,
    });
    expect(rows(bf16.sequences)).toEqual(rows(want.sequences));
    expect(bf16.logProbs!.toArray()).toEqual(want.logProbs!.toArray());
  });

  it('uses weights the caller packed, and refuses a conflicting weightDtype', () => {
    const gpt = model(6);
    const packed = packWeights(gpt, { dtype: 'bfloat16' });
    expect(packed.layers).toBe(2 * 4 + 1); // four Linears per block and the head
    const a = rows(generate(gpt, [1, 2], { maxNewTokens: 4, temperature: 0 }));
    expect(rows(generate(gpt, [1, 2], { maxNewTokens: 4, temperature: 0, weightDtype: 'bfloat16' }))).toEqual(
      a,
    );
    expect(() => generate(gpt, [1, 2], { maxNewTokens: 1, weightDtype: 'float32' })).toThrow(
      'generate: the model is packed as bfloat16, but weightDtype asks for float32',
    );
    expect(() => packWeights(gpt)).toThrow('packWeights: the model is packed already');
    packed.release();
    expect(packed.released).toBe(true);
    expect(() =>
      generate(gpt, [1, 2], { maxNewTokens: 1, packWeights: false, weightDtype: 'float16' }),
    ).toThrow('generate: weightDtype float16 needs packed weights');
  });

  it('allocates no tensor storage per token from the second decoding step on', () => {
    const gpt = model(7);
    for (const options of [
      { temperature: 0 },
      { temperature: 0.9, topK: 10, topP: 0.9, generator: new Generator(1) },
    ]) {
      const fresh = (maxNewTokens: number) => {
        const before = storageReuseStats().allocated;
        generate(
          gpt,
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          { maxNewTokens, ...options },
        );
        return storageReuseStats().allocated - before;
      };
      fresh(12); // warm: the kernel memory has grown to its size
      const memory = wasmStats()?.memoryBytes;
      expect(fresh(12)).toBe(fresh(3));
      expect(wasmStats()?.memoryBytes).toBe(memory);
    }
  });
});

/** `t` with every value rounded to the nearest bfloat16 (ties to even), as torch's `.bfloat16()`. */
function roundBfloat16(t: Tensor): Tensor {
  const values = Float32Array.from(t.data() as Float32Array);
  const bits = new Uint32Array(values.buffer);
  for (let i = 0; i < bits.length; i++)
    bits[i] = ((bits[i]! + 0x7fff + ((bits[i]! >>> 16) & 1)) >>> 16) << 16;
  return tensor(values, { shape: [...t.shape] });
}
