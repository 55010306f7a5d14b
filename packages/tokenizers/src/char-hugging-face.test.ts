import { describe, expect, it } from 'vitest';
import { BPETokenizer } from './bpe/bpe-tokenizer.js';
import type { HuggingFaceWordLevelJSON } from './char-hugging-face.js';
import { CharTokenizer } from './char-tokenizer.js';
import { TokenizerError } from './errors.js';
import { tokenizerFromHuggingFace, tokenizerToHuggingFace } from './hugging-face-tokenizer.js';
import { sotuText } from './testing/corpora.js';

const text = `${sotuText().slice(0, 20_000)}\n\n\ttabs, digits 0123 and 😀 astral\r\n`;

/**
 * Hugging Face tokenizers' pipeline on a per-character WordLevel file, step by step: the `Split`
 * regex (Oniguruma matches code points, as a `u` regex does) keeps each match and each gap between
 * matches as pieces (`Isolated`), each piece is looked up in the vocabulary (unknown pieces become
 * `unk_token` if it is in the vocabulary), and the `Fuse` decoder joins the tokens as they are.
 */
function huggingFaceEncode(json: HuggingFaceWordLevelJSON, input: string): number[] {
  const split = json.pre_tokenizer as { pattern: { Regex: string } };
  const regex = new RegExp(split.pattern.Regex, 'gu');
  const pieces: string[] = [];
  let at = 0;
  for (const m of input.matchAll(regex)) {
    if (m.index > at) pieces.push(input.slice(at, m.index));
    pieces.push(m[0]);
    at = m.index + m[0].length;
  }
  if (at < input.length) pieces.push(input.slice(at));
  const { vocab, unk_token } = json.model;
  return pieces.map((piece) => {
    const id = vocab[piece] ?? vocab[unk_token!];
    if (id === undefined) throw new Error(`WordLevel error: Missing [UNK] token from the vocabulary`);
    return id;
  });
}

function huggingFaceDecode(json: HuggingFaceWordLevelJSON, ids: number[]): string {
  const byId = new Map([...Object.entries(json.model.vocab)].map(([token, id]) => [id, token]));
  for (const t of json.added_tokens ?? []) byId.set(t.id, t.content);
  return ids.map((id) => byId.get(id)).join(''); // Fuse
}

describe('CharTokenizer tokenizer.json', () => {
  it('writes a WordLevel model split per character with the Fuse decoder', () => {
    const tok = CharTokenizer.fromCorpus('ba\n', { specialTokens: ['<|endoftext|>'] });
    expect(tok.toHuggingFace()).toEqual({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [
        {
          id: 3,
          content: '<|endoftext|>',
          single_word: false,
          lstrip: false,
          rstrip: false,
          normalized: false,
          special: true,
        },
      ],
      normalizer: null,
      pre_tokenizer: { type: 'Split', pattern: { Regex: '[\\s\\S]' }, behavior: 'Isolated', invert: false },
      post_processor: null,
      decoder: { type: 'Fuse' },
      model: { type: 'WordLevel', vocab: { '\n': 0, a: 1, b: 2, '<|endoftext|>': 3 }, unk_token: '<unk>' },
    });
  });

  it("encodes and decodes like our tokenizer under Hugging Face's pipeline", () => {
    const tok = CharTokenizer.fromCorpus(text);
    const json = tok.toHuggingFace();
    const ids = tok.encode(text);
    expect(huggingFaceEncode(json, text)).toEqual(ids);
    expect(huggingFaceDecode(json, ids)).toBe(text);
    // no unk: an unknown character is an error in both
    expect(() => huggingFaceEncode(json, '€')).toThrow(/Missing \[UNK\]/);
    expect(() => tok.encode('€')).toThrow(TokenizerError);
    const withUnk = CharTokenizer.fromCorpus(text, { unk: '�' });
    expect(huggingFaceEncode(withUnk.toHuggingFace(), 'a€b')).toEqual(withUnk.encode('a€b'));
  });

  it('round-trips through the file: the same ids, unk and special tokens', () => {
    const tok = CharTokenizer.fromCorpus(text, { unk: '<unk>', specialTokens: ['<|endoftext|>', '<pad>'] });
    const back = CharTokenizer.fromHuggingFace(JSON.stringify(tok.toHuggingFace()));
    expect(back.toJSON()).toEqual(tok.toJSON());
    const sample = `${text}<|endoftext|>€`;
    expect(back.encode(sample, { allowedSpecial: 'all' })).toEqual(
      tok.encode(sample, { allowedSpecial: 'all' }),
    );
    expect(back.decode(tok.encode(text))).toBe(text);
    const plain = CharTokenizer.fromCorpus(text);
    expect(CharTokenizer.fromHuggingFace(plain.toHuggingFace()).toJSON()).toEqual(plain.toJSON());
  });

  it('picks an unk_token outside the vocabulary when the tokenizer has none', () => {
    const json = CharTokenizer.fromCorpus('ab', { specialTokens: ['<unk>'] }).toHuggingFace();
    expect(json.model.unk_token).toBe('<<unk>>');
    expect(CharTokenizer.fromHuggingFace(json).specialTokens.get('<unk>')).toBe(2);
  });

  it('names what a char tokenizer cannot represent', () => {
    const good = CharTokenizer.fromCorpus('abc', { specialTokens: ['<s>'] }).toHuggingFace();
    const read = (change: Partial<HuggingFaceWordLevelJSON>) => () =>
      CharTokenizer.fromHuggingFace({ ...good, ...change });
    const model = (vocab: Record<string, number>) => ({ model: { ...good.model, vocab } });
    expect(read({ decoder: null })).toThrow(/decoder null is not Fuse/);
    expect(read({ pre_tokenizer: { type: 'Whitespace' } })).toThrow(/does not split per character/);
    expect(read({ normalizer: { type: 'NFC' } })).toThrow(/normalizer/);
    expect(read({ post_processor: { type: 'TemplateProcessing' } })).toThrow(/post_processor/);
    expect(read({ model: { type: 'BPE', vocab: {} } })).toThrow(/model.type is "BPE"/);
    expect(read(model({ a: 0, bc: 1, c: 2, '<s>': 3 }))).toThrow(/"bc" \(1\) is not one character/);
    expect(read(model({ a: 0, b: 1, c: 5, '<s>': 3 }))).toThrow(/id of "c" is 5, not in \[0, 4\)/);
    expect(read(model({ a: 0, b: 1, c: 1, '<s>': 3 }))).toThrow(/id 1 is both "b" and "c"/);
    const specialFirst = {
      ...model({ a: 1, b: 2, c: 3, '<s>': 0 }),
      added_tokens: [{ id: 0, content: '<s>' }],
    };
    expect(read(specialFirst)).toThrow(/"a" \(1\) comes after the special tokens/);
    expect(read({ model: { type: 'WordLevel', vocab: [] as never } })).toThrow(
      /model.vocab must be an object/,
    );
    expect(() => CharTokenizer.fromHuggingFace('{"model":')).toThrow(/tokenizer.json is not valid JSON/);
    expect(() => CharTokenizer.fromCorpus('a\ud800').toHuggingFace()).toThrow(/lone surrogate U\+D800/);
  });
});

describe('tokenizerFromHuggingFace', () => {
  it('reads each model type into its tokenizer and back', () => {
    const char = CharTokenizer.fromCorpus(text);
    const bpe = BPETokenizer.train(text, { vocabSize: 300 });
    const charBack = tokenizerFromHuggingFace(JSON.stringify(tokenizerToHuggingFace(char)));
    const bpeBack = tokenizerFromHuggingFace(JSON.stringify(tokenizerToHuggingFace(bpe)));
    expect(charBack).toBeInstanceOf(CharTokenizer);
    expect(bpeBack).toBeInstanceOf(BPETokenizer);
    expect(charBack.encode(text)).toEqual(char.encode(text));
    expect(bpeBack.encode(text)).toEqual(bpe.encode(text));
    expect(() => tokenizerFromHuggingFace({ model: { type: 'Unigram', vocab: {}, merges: [] } })).toThrow(
      /model.type "Unigram" is not supported/,
    );
  });
});
