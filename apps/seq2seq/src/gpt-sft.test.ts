import { GPT } from '@proj/nn';
import { promptForGeneration, SFTDataset } from '@proj/train';
import { describe, expect, it } from 'vitest';
import { BpeCodec } from './codec.js';
import { cutToTokens, matchedGptConfig, sourceTargetTemplate } from './gpt-sft.js';

const codec = BpeCodec.train(
  ['the meeting is at noon on monday', 'meeting moved', 'café au lait for everyone', 'lunch on monday'],
  300,
);
const { tokenizer } = codec;

describe('sourceTargetTemplate with SFTDataset', () => {
  const body = 'the meeting is at noon on monday';
  const subject = 'meeting moved';
  const example = {
    messages: [
      { role: 'user', content: body },
      { role: 'assistant', content: subject },
    ],
  };

  it('learns the subject and the end token only, with <s> between body and subject', () => {
    const data = SFTDataset.fromExamples([example], {
      tokenizer,
      blockSize: 64,
      template: sourceTargetTemplate,
      padId: codec.padId,
    });
    const bodyIds = tokenizer.encodeOrdinary(body);
    const subjectIds = tokenizer.encodeOrdinary(subject);
    const { ids, trained } = data.example(0);
    expect([...ids]).toEqual([...bodyIds, codec.bosId, ...subjectIds, codec.eosId]);
    const prompt = bodyIds.length + 1;
    expect([...trained]).toEqual([...Array(prompt).fill(0), ...Array(subjectIds.length + 1).fill(1)]);
    const { y } = data.batchAt([0], 64);
    const targets = y.toArray() as number[][];
    // targets are masked up to the separator's position, then the subject and </s>
    expect(targets[0]!.slice(prompt - 1)).toEqual([...subjectIds, codec.eosId]);
    expect(targets[0]!.slice(0, prompt - 1).every((t) => t === -1)).toBe(true);
  });

  it('gives the body and the separator as the prompt to continue', () => {
    const { ids, completion } = promptForGeneration(tokenizer, example, sourceTargetTemplate);
    expect(ids).toEqual([...tokenizer.encodeOrdinary(body), codec.bosId]);
    expect(completion).toBe(subject);
  });

  it('encodes "<s>" typed in a body as text, not as the separator', () => {
    const { ids } = promptForGeneration(
      tokenizer,
      {
        messages: [
          { role: 'user', content: 'a <s> b' },
          { role: 'assistant', content: 'c' },
        ],
      },
      sourceTargetTemplate,
    );
    expect(ids.filter((id) => id === codec.bosId)).toHaveLength(1);
    expect(ids.at(-1)).toBe(codec.bosId);
  });

  it('refuses roles it does not know', () => {
    expect(() => sourceTargetTemplate([{ role: 'system', content: 'x' }])).toThrow(/unknown role 'system'/);
  });
});

describe('cutToTokens', () => {
  it('keeps a text that fits and cuts a longer one to at most that many tokens', () => {
    const text = 'the meeting is at noon on monday';
    const n = tokenizer.encodeOrdinary(text).length;
    expect(cutToTokens(tokenizer, text, n)).toBe(text);
    for (let max = 1; max < n; max++) {
      const cut = cutToTokens(tokenizer, text, max);
      expect(text.startsWith(cut)).toBe(true);
      expect(tokenizer.encodeOrdinary(cut).length).toBeLessThanOrEqual(max);
      expect(cut.length).toBeGreaterThan(0);
    }
  });

  it('never ends inside a multi-byte character', () => {
    const text = 'é'.repeat(40);
    for (let max = 1; max < tokenizer.encodeOrdinary(text).length; max++) {
      const cut = cutToTokens(tokenizer, text, max);
      expect(cut).not.toContain('\ufffd');
      expect(text.startsWith(cut)).toBe(true);
    }
  });
});

describe('matchedGptConfig', () => {
  it('doubles the layers and picks the width, a multiple of the heads, closest to the target count', () => {
    const sizes = { vocabSize: 300, blockSize: 40, layers: 1, nHead: 2, dropout: 0 };
    const target = 40_000;
    const config = matchedGptConfig(sizes, target);
    expect(config.nLayer).toBe(2);
    expect(config.nEmbd % 2).toBe(0);
    const count = (nEmbd: number) => new GPT({ ...config, nEmbd }).numParameters({ nonEmbedding: false });
    const error = Math.abs(count(config.nEmbd) - target);
    expect(error).toBeLessThanOrEqual(Math.abs(count(config.nEmbd - 2) - target));
    expect(error).toBeLessThanOrEqual(Math.abs(count(config.nEmbd + 2) - target));
  });
});
