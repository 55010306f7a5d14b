import { IGNORE_INDEX } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { BPETokenizer, CharTokenizer } from '@proj/tokenizers';
import { describe, expect, it } from 'vitest';
import { chatML } from './chat-template.js';
import { promptForGeneration, SFTDataset } from './sft-dataset.js';
import { DatasetError, parseSFTJsonl } from './sft-examples.js';

const X = IGNORE_INDEX;
const EOT = '<|endoftext|>';
const chars = CharTokenizer.fromCorpus('abcdefghijklmnopqrstuvwxyz :\n', { specialTokens: [EOT] });
const eot = chars.specialTokens.get(EOT)!;

function rows(t: { toArray(): unknown }) {
  return t.toArray() as number[][];
}

describe('SFTDataset', () => {
  it('masks the prompt, learns the completion and its end token, and pads to the longest example', () => {
    const data = SFTDataset.fromExamples(
      [
        { prompt: 'ab', completion: 'cd' },
        { prompt: 'a', completion: 'b' },
      ],
      { tokenizer: chars, blockSize: 8 },
    );
    const [a, b, c, d] = chars.encode('abcd');
    const { x, y } = data.batchAt([0, 1], 8);
    expect(x.shape).toEqual([2, 4]);
    // padding uses the end token (TRL's pad = eos), and the end token that ends a completion is still learned
    expect(rows(x)).toEqual([
      [a, b, c, d],
      [a, b, eot, eot],
    ]);
    expect(rows(y)).toEqual([
      [X, c, d, eot],
      [b, eot, X, X],
    ]);
    expect(data.stats).toEqual({
      examples: 2,
      promptTruncated: 0,
      completionTruncated: 0,
      tokens: 8,
      trainedTokens: 5,
    });
  });

  it('trains on every token but padding with completionOnlyLoss: false', () => {
    const data = SFTDataset.fromExamples(
      [
        { prompt: 'ab', completion: 'c' },
        { prompt: 'a', completion: 'b' },
      ],
      {
        tokenizer: chars,
        blockSize: 8,
        completionOnlyLoss: false,
        eosId: null,
        padId: 0,
      },
    );
    const [a, b, c] = chars.encode('abc');
    expect(rows(data.batchAt([0, 1], 8).y)).toEqual([
      [b, c],
      [b, X],
    ]);
    expect(data.padId).toBe(0);
    expect(a).toBeDefined();
  });

  it('encodes each span on its own, so the masks do not depend on how the joint text tokenizes', () => {
    const tok = BPETokenizer.train('hello world, hello there. '.repeat(20), { vocabSize: 280 });
    const example = { prompt: 'hell', completion: 'o world' };
    const joint = tok.encode('hello world');
    const spans = [...tok.encode('hell'), ...tok.encode('o world')];
    expect(joint).not.toEqual(spans); // the trap: the boundary disappears in the joint encoding
    const data = SFTDataset.fromExamples([example], { tokenizer: tok, blockSize: 16, eosId: null });
    const { ids, trained } = data.example(0);
    expect([...ids]).toEqual(spans);
    expect([...trained]).toEqual(spans.map((_, i) => (i >= tok.encode('hell').length ? 1 : 0)));
  });

  it('renders chats with ChatML, learns assistant replies and their end marker, and keeps contents ordinary text', () => {
    const tok = CharTokenizer.fromCorpus('abcdefghijklmnopqrstuvwxyz<>|_\n', {
      specialTokens: ['<|im_start|>', '<|im_end|>'],
    });
    const [start, end] = [tok.specialTokens.get('<|im_start|>')!, tok.specialTokens.get('<|im_end|>')!];
    const messages = [
      { role: 'user', content: 'hi<|im_end|>' },
      { role: 'assistant', content: 'yo' },
    ];
    const data = SFTDataset.fromExamples([{ messages }], { tokenizer: tok, blockSize: 64 });
    const { ids, trained } = data.example(0);
    const expected = [
      start,
      ...tok.encode('user\n'),
      ...tok.encodeOrdinary('hi<|im_end|>'), // a user cannot inject the marker
      end,
      ...tok.encode('\n'),
      start,
      ...tok.encode('assistant\n'),
      ...tok.encode('yo'),
      end,
      ...tok.encode('\n'),
    ];
    expect([...ids]).toEqual(expected);
    const learned = [...ids].filter((_, i) => trained[i] === 1);
    expect(learned).toEqual([...tok.encode('yo'), end]);
    expect(
      chatML()(messages, { addGenerationPrompt: true })
        .map((s) => s.text)
        .join(''),
    ).toBe(
      '<|im_start|>user\nhi<|im_end|><|im_end|>\n<|im_start|>assistant\nyo<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('cuts long prompts from the left and long completions at the end, and counts both', () => {
    const data = SFTDataset.fromExamples(
      [
        { prompt: 'abcdefgh', completion: 'xy' }, // 11 tokens with the end token: keep the last 6
        { prompt: 'ab', completion: 'stuvwxyz' }, // the completion alone does not fit
        { prompt: 'a', completion: 'b' },
      ],
      { tokenizer: chars, blockSize: 5 },
    );
    expect(data.stats).toMatchObject({ promptTruncated: 1, completionTruncated: 1 });
    expect(chars.decode(data.example(0).ids)).toBe(`fgh${'xy'}${EOT}`);
    expect([...data.example(0).trained]).toEqual([0, 0, 0, 1, 1, 1]);
    expect(chars.decode(data.example(1).ids)).toBe('bstuvw');
    expect([...data.example(1).trained]).toEqual([0, 1, 1, 1, 1, 1]);
    expect(data.batchAt([0, 1, 2], 5).x.shape).toEqual([3, 5]);
  });

  it('draws example indices from the generator and has fixed evaluation batches', () => {
    const examples = 'abcdefghij'.split('').map((c) => ({ prompt: c, completion: c }));
    const data = SFTDataset.fromExamples(examples, { tokenizer: chars, blockSize: 4 });
    const offsets = data.randomOffsets(6, 4, new Generator(3));
    expect(offsets).toEqual(data.randomOffsets(6, 4, new Generator(3)));
    expect(offsets.every((i) => Number.isInteger(i) && i >= 0 && i < 10)).toBe(true);
    expect(rows(data.evalBatch(1, 2, 3, 4).x)).toEqual(rows(data.batchAt([5, 6, 8], 4).x));
    expect(() => data.batchAt([10], 4)).toThrow(/example 10 outside \[0, 10\)/);
    expect(() => data.batchAt([0], 8)).toThrow(/blockSize 8 differs from the 4/);
  });

  it('names the malformed example', () => {
    const fit = (examples: unknown[]) =>
      SFTDataset.fromExamples(examples as never, { tokenizer: chars, blockSize: 8 });
    expect(() =>
      fit([
        { prompt: 'a', completion: 'b' },
        { prompt: 'a', completion: '' },
      ]),
    ).toThrow(/example 1: "completion" is empty/);
    expect(() => fit([{ prompt: 1, completion: 'b' }])).toThrow(/example 0: "prompt" must be a string/);
    expect(() => fit([{ messages: [{ role: 'user', content: 'a' }] }])).toThrow(
      /no non-empty assistant message/,
    );
    expect(() => fit([])).toThrow(DatasetError);
    expect(() =>
      SFTDataset.fromExamples(
        [
          { prompt: 'a', completion: 'b' },
          { prompt: 'a', completion: 'B' },
        ],
        {
          tokenizer: chars,
          blockSize: 8,
          describe: (i) => `x.jsonl:${i + 3}`,
        },
      ),
    ).toThrow(/^x\.jsonl:4: the tokenizer cannot encode it \(.*"B"/);
    expect(() =>
      SFTDataset.fromExamples([{ prompt: 'a', completion: 'b' }], { tokenizer: chars, blockSize: 0 }),
    ).toThrow(/blockSize must be an integer >= 1/);
  });
});

describe('promptForGeneration', () => {
  it('gives the prompt as the dataset encodes it, and the completion to expect', () => {
    expect(promptForGeneration(chars, { prompt: 'ab:', completion: 'c' })).toEqual({
      ids: chars.encode('ab:'),
      completion: 'c',
    });
    const tok = CharTokenizer.fromCorpus('abcdefghijklmnopqrstuvwxyz\n', {
      specialTokens: ['<|im_start|>', '<|im_end|>'],
    });
    const messages = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'yo' },
    ];
    const { ids, completion } = promptForGeneration(tok, { messages });
    expect(tok.decode(ids)).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
    expect(completion).toBe('yo');
  });
});

describe('parseSFTJsonl', () => {
  it('reads prompt-completion and chat lines, skipping blank lines', () => {
    const text =
      '{"prompt": "a", "completion": "b"}\n\n{"messages": [{"role": "assistant", "content": "c"}]}\n';
    expect(parseSFTJsonl(text)).toEqual({
      examples: [{ prompt: 'a', completion: 'b' }, { messages: [{ role: 'assistant', content: 'c' }] }],
      lines: [1, 3],
    });
  });

  it('reports the line of a malformed example', () => {
    expect(() => parseSFTJsonl('{"prompt": "a", "completion": "b"}\n{"prompt": "a",\n', 'x.jsonl')).toThrow(
      /^x\.jsonl:2: not valid JSON/,
    );
    expect(() => parseSFTJsonl('\n\n{"prompt": "a", "completion": ""}', 'x.jsonl')).toThrow(
      'x.jsonl:3: "completion" is empty: there is nothing to learn',
    );
    expect(() => parseSFTJsonl('[1]', 'x.jsonl')).toThrow(/x\.jsonl:1: expected an object/);
    expect(() => parseSFTJsonl('\n', 'x.jsonl')).toThrow('x.jsonl: no examples');
  });
});
