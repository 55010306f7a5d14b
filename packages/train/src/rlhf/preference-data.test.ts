import { IGNORE_INDEX } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { CharTokenizer } from '@proj/tokenizers';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../data/sft-examples.js';
import { PreferenceDataset } from './preference-dataset.js';
import { parsePreferenceJsonl, preferencePair } from './preference-examples.js';
import { PromptDataset } from './prompt-dataset.js';
import { sequenceBatch } from './sequences.js';

const EOT = '<|endoftext|>';
const chars = CharTokenizer.fromCorpus('abcdefghijklmnopqrstuvwxyz .', { specialTokens: [EOT] });
const eot = chars.specialTokens.get(EOT)!;
const X = IGNORE_INDEX;
const rows = (t: { toArray(): unknown }) => t.toArray() as number[][];

describe('PreferenceDataset', () => {
  it('lays out chosen rows then rejected rows; only completion tokens and the end token are targets', () => {
    const data = PreferenceDataset.fromExamples(
      [
        { prompt: 'ab', chosen: 'c', rejected: 'de' },
        { prompt: 'x', chosen: 'yy', rejected: 'z', margin: 2 },
      ],
      { tokenizer: chars, blockSize: 8 },
    );
    const [a, b, c, d, e, x, y, z] = chars.encode('abcdexyz');
    const batch = data.batchAt([0, 1], 8);
    expect(batch.pairs).toBe(2);
    const { ids, targets, mask, lengths, promptLengths } = batch.sequences;
    expect(rows(ids)).toEqual([
      [a, b, c, eot, eot], // padded with the end token
      [x, y, y, eot, eot],
      [a, b, d, e, eot],
      [x, z, eot, eot, eot],
    ]);
    expect(lengths).toEqual([4, 4, 5, 3]);
    expect(promptLengths).toEqual([2, 1, 2, 1]);
    expect(rows(targets)).toEqual([
      [X, c, eot, X, X],
      [y, y, eot, X, X],
      [X, d, e, eot, X],
      [z, eot, X, X, X],
    ]);
    expect(rows(mask)[2]).toEqual([0, 1, 1, 1, 0]);
    expect(batch.margins).toEqual([0, 2]);
    expect(batch.reference).toBeUndefined();
    const withRef = data.withReferenceLogps({ chosen: [-1, -2], rejected: [-3, -4] });
    expect(withRef.batchAt([1, 1], 8).reference).toEqual({ chosen: [-2, -2], rejected: [-4, -4] });
  });

  it('draws pairs uniformly with replacement, and fixed evaluation batches spread over the set', () => {
    const data = PreferenceDataset.fromExamples(
      Array.from({ length: 10 }, (_, i) => ({ prompt: 'a', chosen: 'b'.repeat(i + 1), rejected: 'c' })),
      { tokenizer: chars, blockSize: 16 },
    );
    const offsets = data.randomOffsets(5, 16, new Generator(1));
    expect(offsets.every((i) => i >= 0 && i < 10)).toBe(true);
    expect(data.evalBatch(1, 2, 5, 16).indices).toEqual([5, 6, 7, 8, 9]);
    expect(() => data.batchAt([0], 8)).toThrow(/blockSize 8 differs from the 16/);
  });

  it('names what is wrong with a pair', () => {
    const make = (e: object) =>
      PreferenceDataset.fromExamples([e as never], { tokenizer: chars, blockSize: 8 });
    expect(() => make({ prompt: 'a', chosen: 'b' })).toThrow(/example 0: "rejected" is missing/);
    expect(() => make({ prompt: 'a', chosen: 'b', rejected: 3 })).toThrow(
      /"rejected" must be a string, got 3/,
    );
    expect(() => make({ prompt: 'a', chosen: 'bc', rejected: 'bc' })).toThrow(
      /"chosen" and "rejected" are identical/,
    );
    expect(() => make({ prompt: 'a', chosen: 'b', rejected: 'c', margin: 'x' })).toThrow(
      /"margin" must be a finite number/,
    );
    // completions that differ only past the context become identical once fitted
    expect(() =>
      PreferenceDataset.fromExamples([{ prompt: 'a', chosen: 'bbbbbbbbx', rejected: 'bbbbbbbby' }], {
        tokenizer: chars,
        blockSize: 6,
        eosId: null,
      }),
    ).toThrow(/identical once fitted to the context/);
    expect(() =>
      parsePreferenceJsonl(
        '{"prompt": "a", "chosen": "b", "rejected": "c"}\n\n{"prompt": "a", "chosen": "b"}\n',
        'pairs.jsonl',
      ),
    ).toThrow(new DatasetError('pairs.jsonl:3: "rejected" is missing'));
    expect(parsePreferenceJsonl('{"prompt": "a", "chosen": "b", "rejected": "c"}\n').examples).toHaveLength(
      1,
    );
  });
});

describe('preferencePair', () => {
  it('chooses the higher score and drops ties and identical texts', () => {
    expect(preferencePair('p', [' good', 3], [' bad', -1])).toEqual({
      prompt: 'p',
      chosen: ' good',
      rejected: ' bad',
    });
    expect(preferencePair('p', [' bad', -1], [' good', 3])).toEqual({
      prompt: 'p',
      chosen: ' good',
      rejected: ' bad',
    });
    expect(preferencePair('p', [' a', 1], [' b', 1])).toBeNull();
    expect(preferencePair('p', [' a', 1], [' a', 2])).toBeNull();
  });
});

describe('sequenceBatch and PromptDataset', () => {
  it('predicts each completion token from the position before it', () => {
    const batch = sequenceBatch([[1, 2], [3]], [[4, 5, 6], [7]], { padId: 9 });
    expect(rows(batch.ids)).toEqual([
      [1, 2, 4, 5, 6],
      [3, 7, 9, 9, 9],
    ]);
    expect(rows(batch.targets)).toEqual([
      [X, 4, 5, 6, X],
      [7, X, X, X, X],
    ]);
    expect(() => sequenceBatch([[1]], [[]])).toThrow(/row 0 has an empty completion/);
    expect(() => sequenceBatch([[1, 2]], [[3, 4]], { maxLength: 3 })).toThrow(
      /4 tokens, more than the context of 3/,
    );
  });

  it('holds prompts and names a bad one', () => {
    const data = PromptDataset.fromTexts(['ab', 'c'], chars);
    expect(data.batchAt([1, 0], 8).prompts).toEqual([chars.encode('c'), chars.encode('ab')]);
    expect(() => new PromptDataset([[1], []])).toThrow(/prompt 1 is empty/);
    expect(() => new PromptDataset([])).toThrow(/no prompts/);
  });
});
