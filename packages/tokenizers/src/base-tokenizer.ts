import { IdBuffer } from './id-buffer.js';
import { SpecialTokens } from './special-tokens.js';
import type { EncodeOptions, Tokenizer } from './tokenizer.js';

/**
 * What the tokenizers share: special-token handling (tiktoken's allowed/disallowed rules) around
 * an `encodeOrdinaryInto` that each tokenizer implements for plain text.
 */
export abstract class BaseTokenizer implements Tokenizer {
  /** Special tokens and the rules for them. */
  protected readonly specials: SpecialTokens;
  /** Reused by every call; encoding is synchronous, so one buffer per tokenizer is enough. */
  private readonly buffer = new IdBuffer();

  constructor(specialTokens: Iterable<readonly [string, number]>) {
    this.specials = new SpecialTokens(specialTokens);
  }

  /** Special token text → id. */
  get specialTokens(): ReadonlyMap<string, number> {
    return this.specials.byText;
  }

  abstract get vocabSize(): number;
  abstract decode(ids: ArrayLike<number>): string;
  abstract tokenToId(token: string): number | undefined;
  abstract idToToken(id: number): string | undefined;

  /** Appends the ids of `text`, read as ordinary text, to `out`. */
  protected abstract encodeOrdinaryInto(text: string, out: IdBuffer): void;

  /**
   * Encodes `text` to ids, recognising the special tokens named in `options.allowedSpecial`.
   * @throws DisallowedSpecialTokenError when `text` contains a disallowed special token (by default, any).
   */
  encode(text: string, options?: EncodeOptions): number[] {
    const allowed = this.specials.resolve(text, options);
    const out = this.buffer;
    out.length = 0;
    this.specials.split(
      text,
      allowed,
      (segment) => this.encodeOrdinaryInto(segment, out),
      (id) => out.push(id),
    );
    return out.take();
  }

  /** Encodes `text` with special-token text treated as ordinary text. */
  encodeOrdinary(text: string): number[] {
    const out = this.buffer;
    out.length = 0;
    this.encodeOrdinaryInto(text, out);
    return out.take();
  }

  /** `encode` applied to each text. */
  encodeBatch(texts: readonly string[], options?: EncodeOptions): number[][] {
    return texts.map((t) => this.encode(t, options));
  }
}
