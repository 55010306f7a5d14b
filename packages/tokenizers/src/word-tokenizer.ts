import { BaseTokenizer } from './base-tokenizer.js';
import { TokenizerError } from './errors.js';
import type { IdBuffer } from './id-buffer.js';
import { GPT2_PATTERN, Pretokenizer } from './patterns.js';

/** Options of {@link WordTokenizer}. */
export interface WordTokenizerOptions {
  /**
   * Pre-tokenisation pattern (tiktoken syntax or a `RegExp`). Default {@link GPT2_PATTERN}, whose
   * pieces carry their leading space (`" world"`) and keep whitespace runs, so no text is lost.
   */
  pattern?: string | RegExp;
  /** Text of the unknown-word token, or `null` to make an unknown word an error. Default `'<unk>'`. */
  unk?: string | null;
  /** Special tokens, given ids after the words and `unk`, in this order. */
  specialTokens?: readonly string[];
}

/** Options of {@link WordTokenizer.fromCorpus}. */
export interface WordTokenizerBuildOptions extends WordTokenizerOptions {
  /** Ids in all (words + `unk` + special tokens); the most frequent words are kept. Default: every word. */
  vocabSize?: number;
  /** Words seen fewer times are left out. Default 1. */
  minFrequency?: number;
}

/** The serialised form of a {@link WordTokenizer}. */
export interface WordTokenizerJSON {
  type: 'word';
  words: readonly string[];
  pattern: string;
  unk: string | null;
  specialTokens: readonly string[];
}

/**
 * One token per piece of a regex split (by default GPT-2's: words with their leading space,
 * numbers, punctuation runs, whitespace runs). Ids: the words (most frequent first when built
 * from a corpus), then `unk`, then special tokens. Because pieces keep their spaces,
 * `decode(encode(s)) === s` whenever every piece of `s` is in the vocabulary; an unknown piece
 * decodes as the `unk` text.
 *
 * @example
 * const tok = WordTokenizer.fromCorpus(text, { vocabSize: 10000 });
 * tok.encode(' the nation'); // two ids
 */
export class WordTokenizer extends BaseTokenizer {
  private readonly pre: Pretokenizer;
  private readonly pieces: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;
  private readonly unkId: number;
  private readonly unkText: string | null;
  private readonly wordCount: number;

  /** Builds the vocabulary from the pieces of `corpus`, most frequent first (ties: code unit order). */
  static fromCorpus(
    corpus: string | Iterable<string>,
    options: WordTokenizerBuildOptions = {},
  ): WordTokenizer {
    const pre = new Pretokenizer(options.pattern ?? GPT2_PATTERN);
    const counts = new Map<string, number>();
    for (const text of typeof corpus === 'string' ? [corpus] : corpus) {
      pre.forEach(text, (piece) => counts.set(piece, (counts.get(piece) ?? 0) + 1));
    }
    const reserved = (options.unk === null ? 0 : 1) + (options.specialTokens?.length ?? 0);
    const limit = options.vocabSize === undefined ? counts.size : options.vocabSize - reserved;
    if (limit < 0) {
      throw new TokenizerError(
        `WordTokenizer.fromCorpus: vocabSize ${options.vocabSize} leaves no room for unk and specials`,
      );
    }
    const minFrequency = options.minFrequency ?? 1;
    const words = [...counts]
      .filter(([, c]) => c >= minFrequency)
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      .slice(0, limit)
      .map(([w]) => w);
    return new WordTokenizer(words, options);
  }

  /** Restores a tokenizer saved with `toJSON`. */
  static fromJSON(json: WordTokenizerJSON): WordTokenizer {
    if (json.type !== 'word')
      throw new TokenizerError(`WordTokenizer.fromJSON: type is ${json.type}, not "word"`);
    return new WordTokenizer(json.words, json);
  }

  /**
   * @param words - the vocabulary, in id order.
   * @throws TokenizerError for an empty or repeated word.
   */
  constructor(words: readonly string[], options: WordTokenizerOptions = {}) {
    const unk = options.unk === undefined ? '<unk>' : options.unk;
    const pieces = [...words];
    if (unk !== null) pieces.push(unk);
    const specials = (options.specialTokens ?? []).map((t, i) => [t, pieces.length + i] as const);
    super(specials);
    const ids = new Map<string, number>();
    words.forEach((w, id) => {
      if (w.length === 0) throw new TokenizerError(`WordTokenizer: word ${id} is empty`);
      if (ids.has(w)) throw new TokenizerError(`WordTokenizer: word ${JSON.stringify(w)} appears twice`);
      ids.set(w, id);
    });
    for (const [text] of specials) pieces.push(text);
    this.pre = new Pretokenizer(options.pattern ?? GPT2_PATTERN);
    this.pieces = pieces;
    this.ids = ids;
    this.unkText = unk;
    this.unkId = unk === null ? -1 : words.length;
    this.wordCount = words.length;
  }

  /** The pattern's source (tiktoken syntax, or the `RegExp`'s source). */
  get pattern(): string {
    return this.pre.source;
  }

  /** Words + `unk` + special tokens. */
  get vocabSize(): number {
    return this.pieces.length;
  }

  protected encodeOrdinaryInto(text: string, out: IdBuffer): void {
    this.pre.forEach(text, (piece) => {
      const id = this.ids.get(piece);
      if (id !== undefined) out.push(id);
      else if (this.unkId >= 0) out.push(this.unkId);
      else
        throw new TokenizerError(
          `WordTokenizer.encode: ${JSON.stringify(piece)} is not in the vocabulary (and unk is null)`,
        );
    });
  }

  /** @throws TokenizerError for an id outside `[0, vocabSize)`. */
  decode(ids: ArrayLike<number>): string {
    const parts = new Array<string>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const piece = this.pieces[ids[i]!];
      if (piece === undefined) {
        throw new TokenizerError(
          `WordTokenizer.decode: id ${ids[i]} at position ${i} is outside [0, ${this.vocabSize})`,
        );
      }
      parts[i] = piece;
    }
    return parts.join('');
  }

  /** The id of a word (a piece, with its leading space), of `unk`, or of a special token. */
  tokenToId(token: string): number | undefined {
    return (
      this.specials.byText.get(token) ??
      this.ids.get(token) ??
      (token === this.unkText ? this.unkId : undefined)
    );
  }

  /** The word, `unk` or special text of an id. */
  idToToken(id: number): string | undefined {
    return this.pieces[id];
  }

  /** A JSON-serialisable description that `fromJSON` restores (a `RegExp` pattern is kept as its source). */
  toJSON(): WordTokenizerJSON {
    return {
      type: 'word',
      words: this.pieces.slice(0, this.wordCount),
      pattern: this.pattern,
      unk: this.unkText,
      specialTokens: [...this.specials.byText.keys()].sort(
        (a, b) => this.specials.byText.get(a)! - this.specials.byText.get(b)!,
      ),
    };
  }
}
