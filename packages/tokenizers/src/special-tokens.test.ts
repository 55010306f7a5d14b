import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DisallowedSpecialTokenError, TokenizerError } from './errors.js';
import { openaiTokenizer } from './testing/corpora.js';

const require = createRequire(import.meta.url);
const { get_encoding } = require('tiktoken') as typeof import('tiktoken');

describe('special tokens (tiktoken semantics)', () => {
  const tok = openaiTokenizer('cl100k_base');
  const reference = get_encoding('cl100k_base');
  const text = 'a<|endoftext|>b<|fim_prefix|>c<|endofprompt|>';

  it('throws when the text contains a special token and nothing is allowed', () => {
    expect(() => tok.encode(text)).toThrow(DisallowedSpecialTokenError);
    expect(() => reference.encode(text)).toThrow();
    try {
      tok.encode('x <|fim_prefix|>');
    } catch (e) {
      expect((e as DisallowedSpecialTokenError).token).toBe('<|fim_prefix|>');
    }
  });

  it('encodes allowed special tokens as their ids, like tiktoken', () => {
    expect(tok.encode(text, { allowedSpecial: 'all' })).toEqual([...reference.encode(text, 'all')]);
    const some = ['<|endoftext|>', '<|fim_prefix|>', '<|endofprompt|>'];
    expect(tok.encode(text, { allowedSpecial: some })).toEqual([...reference.encode(text, some)]);
    expect(tok.encode(text, { allowedSpecial: 'all' })).toContain(100276);
  });

  it('encodes special-token text as ordinary text when it is not disallowed', () => {
    const ordinary = [...reference.encode_ordinary(text)];
    expect(tok.encodeOrdinary(text)).toEqual(ordinary);
    expect(tok.encode(text, { disallowedSpecial: [] })).toEqual(ordinary);
    expect(tok.encode(text, { allowedSpecial: ['<|endoftext|>'], disallowedSpecial: [] })).toEqual([
      ...reference.encode(text, ['<|endoftext|>'], []),
    ]);
  });

  it('still throws for a token disallowed explicitly', () => {
    expect(() => tok.encode('<|fim_suffix|>', { disallowedSpecial: ['<|fim_suffix|>'] })).toThrow(
      /"<\|fim_suffix\|>"/,
    );
    expect(() => tok.encode('<|endoftext|>', { disallowedSpecial: ['<|fim_suffix|>'] })).not.toThrow();
  });

  it('rejects option entries that are not special tokens', () => {
    expect(() => tok.encode('x', { allowedSpecial: ['<|nope|>'] })).toThrow(TokenizerError);
  });

  it('decodes special ids back to their text', () => {
    expect(tok.decode(tok.encode(text, { allowedSpecial: 'all' }))).toBe(text);
    expect(tok.idToToken(100257)).toBe('<|endoftext|>');
    expect(tok.tokenToId('<|endofprompt|>')).toBe(100276);
  });

  it('encodes a batch like one call per text', () => {
    const texts = ['hello', ' world<|endoftext|>', ''];
    expect(tok.encodeBatch(texts, { allowedSpecial: 'all' })).toEqual(
      texts.map((t) => [...reference.encode(t, 'all')]),
    );
  });
});
