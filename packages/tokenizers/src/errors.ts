/** Thrown for invalid tokenizer input or configuration; the message names the method and the offending value. */
export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

/** Thrown by the `BPETokenizer` constructor when two ids have the same bytes; the loaders name where each comes from. */
export class DuplicateTokenError extends TokenizerError {
  constructor(
    /** The two ids, lower first. */
    readonly ids: readonly [number, number],
  ) {
    super(`BPETokenizer: tokens ${ids[0]} and ${ids[1]} have the same bytes`);
  }
}

/**
 * Thrown by `encode` when the text contains a special token's text that the call did not allow,
 * following tiktoken: pass it in `allowedSpecial` to encode it as the special id, or in
 * `disallowedSpecial: []` (or use `encodeOrdinary`) to encode it as ordinary text.
 */
export class DisallowedSpecialTokenError extends TokenizerError {
  override name = 'DisallowedSpecialTokenError';
  /** The special token's text found in the input. */
  readonly token: string;

  constructor(token: string) {
    super(
      `encode: the text contains the special token ${JSON.stringify(token)}, which is not allowed; ` +
        `pass it in allowedSpecial to encode it as a special token, or use encodeOrdinary() ` +
        `(or disallowedSpecial: []) to encode it as plain text`,
    );
    this.token = token;
  }
}
