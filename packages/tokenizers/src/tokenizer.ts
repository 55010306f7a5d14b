/**
 * Which special tokens `encode` may produce, and which of them make it throw when their text
 * appears. The semantics are tiktoken's:
 * - `allowedSpecial` (default: none): special tokens whose text is encoded as the special id.
 * - `disallowedSpecial` (default `'all'`, meaning every special token not allowed): if the text
 *   contains one of these, `encode` throws a `DisallowedSpecialTokenError`.
 * Special-token text that is neither allowed nor disallowed is encoded as ordinary text.
 */
export interface EncodeOptions {
  /** Special tokens to recognise in the text: `'all'` or a list of their texts. Default: none. */
  allowedSpecial?: 'all' | Iterable<string>;
  /** Special tokens whose text is an error: `'all'` (every one not allowed, the default) or a list. */
  disallowedSpecial?: 'all' | Iterable<string>;
}

/**
 * What every tokenizer of this package does: text to ids and back, with special tokens
 * (`<|endoftext|>` style) that ordinary text never produces unless the caller allows them.
 */
export interface Tokenizer {
  /** One more than the largest id this tokenizer can produce (special tokens included). */
  readonly vocabSize: number;
  /** Special token text → id. */
  readonly specialTokens: ReadonlyMap<string, number>;
  /**
   * Encodes `text` to ids.
   * @throws DisallowedSpecialTokenError when the text contains a disallowed special token (see {@link EncodeOptions}).
   */
  encode(text: string, options?: EncodeOptions): number[];
  /** Encodes `text` treating special-token text as ordinary text (tiktoken's `encode_ordinary`). */
  encodeOrdinary(text: string): number[];
  /** `encode` over many texts. */
  encodeBatch(texts: readonly string[], options?: EncodeOptions): number[][];
  /** Turns ids back into text. @throws TokenizerError for an id outside the vocabulary. */
  decode(ids: ArrayLike<number>): string;
  /** The id of one token given its vocabulary string (see each tokenizer for what that is), or `undefined`. */
  tokenToId(token: string): number | undefined;
  /** The vocabulary string of an id, or `undefined` when the id is not in the vocabulary. */
  idToToken(id: number): string | undefined;
}
