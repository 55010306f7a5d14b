import { BaseTokenizer } from './base-tokenizer.js';
import {
  charFromHuggingFace,
  charToHuggingFace,
  type HuggingFaceWordLevelJSON,
} from './char-hugging-face.js';
import { TokenizerError } from './errors.js';
import type { IdBuffer } from './id-buffer.js';
import { parseTokenizerJSON } from './tokenizer-json.js';

/** Options of {@link CharTokenizer}. */
export interface CharTokenizerOptions {
  /**
   * Text of an unknown-character token. When set, a character outside the alphabet encodes to
   * its id (which decodes to this text); when not set, such a character is an error.
   */
  unk?: string;
  /** Special tokens, given ids after the characters (and `unk`) in this order. */
  specialTokens?: readonly string[];
}

/** The serialised form of a {@link CharTokenizer} (`toJSON` / `fromJSON`). */
export interface CharTokenizerJSON {
  type: 'char';
  /** Every character of the vocabulary, in id order. */
  alphabet: readonly string[];
  unk?: string;
  specialTokens: readonly string[];
}

function describe(cp: number): string {
  return `${JSON.stringify(String.fromCodePoint(cp))} (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
}

/**
 * One token per Unicode code point (astral characters such as emoji are one token, not two
 * UTF-16 halves). Ids: the alphabet in code point order, then `unk` if any, then special tokens.
 * `decode(encode(s)) === s` for every `s` made of the alphabet — lone surrogates included.
 *
 * @example
 * const tok = CharTokenizer.fromCorpus('hello world');
 * tok.decode(tok.encode('low')); // 'low'
 */
export class CharTokenizer extends BaseTokenizer {
  /** Id → text (characters, `unk`, special tokens). */
  private readonly pieces: readonly string[];
  private readonly ids: ReadonlyMap<number, number>;
  private readonly unkId: number;
  private readonly unkText: string | undefined;

  /**
   * Builds a tokenizer whose alphabet is every code point in `corpus`, sorted.
   * @example CharTokenizer.fromCorpus(text, { unk: '�' })
   */
  static fromCorpus(corpus: string | Iterable<string>, options: CharTokenizerOptions = {}): CharTokenizer {
    const seen = new Set<number>();
    for (const text of typeof corpus === 'string' ? [corpus] : corpus) {
      for (const ch of text) seen.add(ch.codePointAt(0)!);
    }
    const alphabet = [...seen].sort((a, b) => a - b).map((cp) => String.fromCodePoint(cp));
    return new CharTokenizer(alphabet, options);
  }

  /** Restores a tokenizer saved with `toJSON`. */
  static fromJSON(json: CharTokenizerJSON): CharTokenizer {
    if (json.type !== 'char')
      throw new TokenizerError(`CharTokenizer.fromJSON: type is ${json.type}, not "char"`);
    return new CharTokenizer(json.alphabet, { unk: json.unk, specialTokens: json.specialTokens });
  }

  /**
   * Reads a Hugging Face `tokenizer.json` written by {@link toHuggingFace} (or any per-character
   * `WordLevel` file with the same id layout: characters, then `unk_token`, then added tokens).
   * @throws TokenizerError naming what a char tokenizer cannot represent.
   */
  static fromHuggingFace(json: string | HuggingFaceWordLevelJSON): CharTokenizer {
    return CharTokenizer.fromJSON(charFromHuggingFace(parseTokenizerJSON(json)));
  }

  /**
   * @param alphabet - the characters, one code point each, in id order.
   * @throws TokenizerError for an entry that is not one code point, or a repeated one.
   */
  constructor(alphabet: readonly string[], options: CharTokenizerOptions = {}) {
    const pieces = [...alphabet];
    const unkId = options.unk === undefined ? -1 : pieces.length;
    if (options.unk !== undefined) pieces.push(options.unk);
    const specials = (options.specialTokens ?? []).map((t, i) => [t, pieces.length + i] as const);
    super(specials);
    const ids = new Map<number, number>();
    alphabet.forEach((ch, id) => {
      const cp = ch.codePointAt(0);
      if (cp === undefined || String.fromCodePoint(cp) !== ch) {
        throw new TokenizerError(
          `CharTokenizer: alphabet entry ${id} is ${JSON.stringify(ch)}, not one character`,
        );
      }
      if (ids.has(cp)) throw new TokenizerError(`CharTokenizer: alphabet repeats ${describe(cp)}`);
      ids.set(cp, id);
    });
    for (const [text] of specials) pieces.push(text);
    this.pieces = pieces;
    this.ids = ids;
    this.unkId = unkId;
    this.unkText = options.unk;
  }

  /** Characters + `unk` + special tokens. */
  get vocabSize(): number {
    return this.pieces.length;
  }

  protected encodeOrdinaryInto(text: string, out: IdBuffer): void {
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
        const lo = text.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      }
      const id = this.ids.get(cp);
      if (id !== undefined) out.push(id);
      else if (this.unkId >= 0) out.push(this.unkId);
      else {
        throw new TokenizerError(
          `CharTokenizer.encode: character ${describe(cp)} at index ${i} is not in the vocabulary ` +
            `(build from a corpus that contains it, or pass the unk option)`,
        );
      }
      if (cp > 0xffff) i++;
    }
  }

  /** @throws TokenizerError for an id outside `[0, vocabSize)`. */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const piece = this.pieces[ids[i]!];
      if (piece === undefined) {
        throw new TokenizerError(
          `CharTokenizer.decode: id ${ids[i]} at position ${i} is outside [0, ${this.vocabSize})`,
        );
      }
      s += piece;
    }
    return s;
  }

  /** The id of a character, of the `unk` text, or of a special token's text. */
  tokenToId(token: string): number | undefined {
    const special = this.specials.byText.get(token);
    if (special !== undefined) return special;
    if (token === this.unkText) return this.unkId;
    const cp = token.codePointAt(0);
    return cp !== undefined && String.fromCodePoint(cp) === token ? this.ids.get(cp) : undefined;
  }

  /** The character (or `unk` or special text) of an id. */
  idToToken(id: number): string | undefined {
    return this.pieces[id];
  }

  /** A JSON-serialisable description that `fromJSON` restores. */
  toJSON(): CharTokenizerJSON {
    const json: CharTokenizerJSON = {
      type: 'char',
      alphabet: this.pieces.slice(0, this.ids.size),
      specialTokens: [...this.specials.byText.keys()].sort(
        (a, b) => this.specials.byText.get(a)! - this.specials.byText.get(b)!,
      ),
    };
    if (this.unkText !== undefined) json.unk = this.unkText;
    return json;
  }

  /**
   * A Hugging Face `tokenizer.json` with the same ids: a `WordLevel` model, a `Split` pre-tokenizer
   * that makes each character a piece, and the `Fuse` decoder (no spaces between tokens); special
   * tokens are added tokens. `transformers`' `PreTrainedTokenizerFast` and `tokenizers` load it.
   * @throws TokenizerError for a lone surrogate in the alphabet (JSON readers reject it).
   */
  toHuggingFace(): HuggingFaceWordLevelJSON {
    return charToHuggingFace(this.toJSON());
  }
}
