import { BaseTokenizer } from '../base-tokenizer.js';
import { DuplicateTokenError, TokenizerError } from '../errors.js';
import type { IdBuffer } from '../id-buffer.js';
import { GPT2_PATTERN, Pretokenizer } from '../patterns.js';
import { utf8Decode, utf8Encode, utf8EncodeInto } from '../utf8.js';
import { byteLevelToBytes, bytesToByteLevel } from './byte-level.js';
import { BytePairMerger } from './byte-pair-merge.js';
import { denseIdsRule, isDenseEnough } from './dense-ids.js';
import { type HuggingFaceTokenizerJSON, parseHuggingFace, toHuggingFaceJSON } from './hugging-face.js';
import { PairTable } from './pair-table.js';
import { PieceTable } from './piece-table.js';
import { parseTiktoken, toTiktokenText } from './tiktoken-file.js';
import { TokenTable } from './token-table.js';
import { type BPETrainOptions, trainBPE } from './train.js';

/** Options of the {@link BPETokenizer} constructor. */
export interface BPETokenizerOptions {
  /** `tokens[id]` = the bytes of token `id` (holes allowed). Every single byte must be a token. */
  tokens: readonly (Uint8Array | undefined)[];
  /**
   * Hugging Face-style merges `[leftId, rightId]`, applied by their order in this list. Without
   * them (tiktoken style) ids are ranks: two adjacent parts merge when their joined bytes are a
   * token, lower id first.
   */
  merges?: readonly (readonly [number, number])[];
  /**
   * Encode a piece that is itself a token as that token without merging (tiktoken always does;
   * Hugging Face's `ignore_merges`). Default: true without `merges`, false with them.
   */
  ignoreMerges?: boolean;
  /** Pre-tokenisation pattern (tiktoken syntax or a `RegExp`). Default {@link GPT2_PATTERN}. */
  pattern?: string | RegExp;
  /** Special token text → id. */
  specialTokens?: Readonly<Record<string, number>>;
  /** Pieces remembered with their ids before the cache is emptied. Default 50000. */
  cacheSize?: number;
}

/** Options of {@link BPETokenizer.fromTiktoken}. */
export interface TiktokenOptions {
  /** Pre-tokenisation pattern (the encoding's `pat_str`). Default {@link GPT2_PATTERN}. */
  pattern?: string | RegExp;
  /** Special token text → id (see `ENCODINGS` for OpenAI's). */
  specialTokens?: Readonly<Record<string, number>>;
}

/** Longest piece kept in the cache, in UTF-16 code units. */
const CACHE_MAX_PIECE = 128;

/**
 * Byte-level byte-pair encoding, as GPT-2 and tiktoken do it: the text is cut into pieces by a
 * regex, each piece's UTF-8 bytes start as one token per byte, and adjacent tokens merge by
 * priority until none can. On OpenAI's ranks and pattern, `encode` returns exactly tiktoken's ids.
 * Every string round-trips: `decode(encode(s)) === s` (lone surrogates become U+FFFD, as in tiktoken).
 *
 * @example
 * const tok = BPETokenizer.train(corpus, { vocabSize: 4096 });
 * tok.decode(tok.encode('Fellow-Citizens')); // 'Fellow-Citizens'
 */
export class BPETokenizer extends BaseTokenizer {
  private readonly pre: Pretokenizer;
  /** Token bytes for id `i` are `bytes[offsets[i], offsets[i + 1])`; empty for ids outside the vocabulary. */
  private readonly bytes: Uint8Array;
  private readonly offsets: Int32Array;
  private readonly byteToId = new Int32Array(256);
  private readonly merges: readonly (readonly [number, number])[] | undefined;
  /** Bytes → id of the mergeable (non-special) tokens. */
  private readonly table: TokenTable;
  /** Piece text → id of every token whose bytes are UTF-8 (when whole pieces map to tokens directly). */
  private readonly direct: PieceTable | undefined;
  private readonly merger: BytePairMerger;
  /** Piece text → offset in `cacheIds` of `[count, ...ids]`. */
  private readonly cache: PieceTable;
  private cacheIds = new Int32Array(1 << 16);
  private cacheUsed = 0;
  private readonly cacheSize: number;
  private scratch = new Uint8Array(1024);

  /**
   * Loads a `.tiktoken` rank file: one `base64(token bytes) rank` per line, ranks in decimal, from 0
   * with at most as many holes as tokens plus 256 (see `parseTiktoken`).
   * @throws TokenizerError naming the line (both lines for a repeated rank or token).
   */
  static fromTiktoken(text: string, options: TiktokenOptions = {}): BPETokenizer {
    const { tokens, lineOfRank } = parseTiktoken(text);
    try {
      return new BPETokenizer({ ...options, tokens });
    } catch (error) {
      if (!(error instanceof DuplicateTokenError)) throw error;
      const [a, b] = error.ids;
      throw new TokenizerError(
        `fromTiktoken: lines ${lineOfRank[a]} and ${lineOfRank[b]} hold the same token bytes (ranks ${a} and ${b})`,
      );
    }
  }

  /**
   * Loads a Hugging Face `tokenizer.json` of a byte-level BPE model (GPT-2 style), as text or parsed.
   * @throws TokenizerError naming the field for text that is not JSON, a missing or mistyped field,
   * ids that are not integers or not dense, or what byte-level BPE does not support.
   */
  static fromHuggingFace(json: string | HuggingFaceTokenizerJSON): BPETokenizer {
    return new BPETokenizer(parseHuggingFace(json));
  }

  /** Learns a vocabulary from text; see {@link BPETrainOptions}. */
  static train(corpus: string | Iterable<string>, options: BPETrainOptions): BPETokenizer {
    return new BPETokenizer(trainBPE(corpus, options));
  }

  /**
   * @throws TokenizerError for an empty or repeated token, a missing single byte, a merge that makes
   * no token, or a special id far beyond the vocabulary (at most as many holes as tokens, plus 256).
   */
  constructor(options: BPETokenizerOptions) {
    super(Object.entries(options.specialTokens ?? {}));
    const { tokens, merges } = options;
    this.pre = new Pretokenizer(options.pattern ?? GPT2_PATTERN);
    this.cacheSize = options.cacheSize ?? 50000;
    this.cache = new PieceTable(this.cacheSize);
    this.merges = merges;

    const maxSpecial = this.specials.maxId;
    const count = tokens.length + this.specials.size;
    if (!isDenseEnough(maxSpecial, count)) {
      throw new TokenizerError(
        `BPETokenizer: special token ${JSON.stringify(this.specials.byId.get(maxSpecial))} has id ${maxSpecial}, but there are ${count} tokens; ${denseIdsRule(count)}`,
      );
    }
    const size = Math.max(tokens.length, maxSpecial + 1);
    const contents = new Array<Uint8Array | undefined>(size);
    let total = 0;
    for (let id = 0; id < size; id++) {
      const special = this.specials.byId.get(id);
      const bytes = special === undefined ? tokens[id] : utf8Encode(special);
      if (bytes?.length === 0) throw new TokenizerError(`BPETokenizer: token ${id} is empty`);
      contents[id] = bytes;
      total += bytes?.length ?? 0;
    }
    this.bytes = new Uint8Array(total);
    this.offsets = new Int32Array(size + 1);
    let at = 0;
    for (let id = 0; id < size; id++) {
      this.offsets[id] = at;
      const bytes = contents[id];
      if (bytes !== undefined) this.bytes.set(bytes, at);
      at += bytes?.length ?? 0;
    }
    this.offsets[size] = at;
    this.table = new TokenTable(this.bytes, this.offsets, size);
    this.byteToId.fill(-1);
    for (let id = 0; id < size; id++) {
      const bytes = contents[id];
      if (bytes === undefined || this.specials.byId.has(id)) continue;
      const other = this.table.insert(id);
      if (other !== id) throw new DuplicateTokenError([other, id]);
      if (bytes.length === 1) this.byteToId[bytes[0]!] = id;
    }
    const missing = [...this.byteToId.keys()].filter((b) => this.byteToId[b] === -1);
    if (missing.length > 0) {
      throw new TokenizerError(
        `BPETokenizer: every byte must be a token; ${missing.length} are not (first: 0x${missing[0]!.toString(16)})`,
      );
    }

    let pairs: PairTable;
    if (merges !== undefined) {
      pairs = new PairTable(merges.length);
      merges.forEach(([left, right], priority) => {
        this.mergeableBytes(left);
        this.mergeableBytes(right);
        const result = this.table.concat(left, right);
        if (result < 0) {
          throw new TokenizerError(
            `BPETokenizer: merge ${priority} (${left}, ${right}) makes a token not in the vocabulary`,
          );
        }
        pairs.set(left, right, result, priority);
      });
    } else {
      // tiktoken: two tokens whose joined bytes are a token merge into it, with its rank (= id).
      pairs = new PairTable(1 << 14, (left, right) => this.table.concat(left, right));
    }
    this.merger = new BytePairMerger(pairs);

    if (options.ignoreMerges ?? merges === undefined) {
      this.direct = new PieceTable(size, total);
      for (let id = 0; id < size; id++) {
        const bytes = contents[id];
        if (bytes !== undefined && !this.specials.byId.has(id)) this.direct.insertUtf8(bytes, id);
      }
    }
  }

  /** The pattern's source (tiktoken syntax, or the `RegExp`'s source). */
  get pattern(): string {
    return this.pre.source;
  }

  /** One more than the largest id (tokens and special tokens). */
  get vocabSize(): number {
    return this.offsets.length - 1;
  }

  /** The bytes of token `id` (special tokens: their UTF-8 text), or `undefined` outside the vocabulary. */
  tokenBytes(id: number): Uint8Array | undefined {
    if (
      !Number.isInteger(id) ||
      id < 0 ||
      id >= this.vocabSize ||
      this.offsets[id] === this.offsets[id + 1]
    ) {
      return undefined;
    }
    return this.bytes.slice(this.offsets[id]!, this.offsets[id + 1]!);
  }

  /** A special token's text, or a byte-level token string as in `tokenizer.json` (`Ġthe` for " the"). */
  tokenToId(token: string): number | undefined {
    const special = this.specials.byText.get(token);
    if (special !== undefined) return special;
    const bytes = byteLevelToBytes(token);
    const id = bytes === undefined || bytes.length === 0 ? -1 : this.table.get(bytes);
    return id < 0 ? undefined : id;
  }

  /** A special token's text, or the byte-level string of a token (`Ġthe` for " the"). */
  idToToken(id: number): string | undefined {
    const special = this.specials.byId.get(id);
    if (special !== undefined) return special;
    const bytes = this.tokenBytes(id);
    return bytes === undefined ? undefined : bytesToByteLevel(bytes);
  }

  protected encodeOrdinaryInto(text: string, out: IdBuffer): void {
    const { pre, direct, cache } = this;
    let data = out.data;
    let n = out.length;
    for (let start = 0; start < text.length; ) {
      const end = pre.pieceEnd(text, start);
      // A piece has at most 3 UTF-8 bytes, so at most 3 ids, per UTF-16 unit.
      if (n + 3 * (end - start) > data.length) {
        out.length = n;
        out.reserve(3 * (end - start));
        data = out.data;
      }
      const hash = PieceTable.hash(text, start, end);
      const id = direct === undefined ? -1 : direct.find(text, start, end, hash);
      if (id >= 0) data[n++] = id;
      else {
        const at = cache.find(text, start, end, hash);
        if (at >= 0) {
          const ids = this.cacheIds;
          for (let i = at + 1, stop = at + 1 + ids[at]!; i < stop; i++) data[n++] = ids[i]!;
        } else {
          out.length = n;
          this.encodePiece(text, start, end, hash, out);
          data = out.data;
          n = out.length;
        }
      }
      start = end;
    }
    out.length = n;
  }

  /** Merges the bytes of `text[start, end)`, appends the ids and caches them. */
  private encodePiece(text: string, start: number, end: number, hash: number, out: IdBuffer): void {
    if (this.scratch.length < (end - start) * 3) this.scratch = new Uint8Array((end - start) * 3);
    const n = utf8EncodeInto(text, start, end, this.scratch);
    const merger = this.merger;
    merger.reserve(n);
    const ids = merger.ids;
    // A piece that is a token is that token (the text lookup missed it only if the piece holds a lone surrogate).
    const whole = this.direct === undefined ? -1 : this.table.get(this.scratch.subarray(0, n));
    let m = 1;
    if (whole >= 0) ids[0] = whole;
    else {
      for (let i = 0; i < n; i++) ids[i] = this.byteToId[this.scratch[i]!]!;
      m = merger.merge(n);
    }
    out.reserve(m);
    out.data.set(ids.subarray(0, m), out.length);
    out.length += m;
    if (end - start > CACHE_MAX_PIECE) return;
    if (this.cache.size >= this.cacheSize || this.cacheUsed + m + 1 > this.cacheIds.length) {
      this.cache.clear();
      this.cacheUsed = 0;
    }
    const at = this.cacheUsed;
    this.cacheIds[at] = m;
    this.cacheIds.set(ids.subarray(0, m), at + 1);
    this.cacheUsed += m + 1;
    this.cache.insert(text, start, end, hash, at);
  }

  /**
   * The bytes of `ids` joined — what `decode` turns into text. Use it when ids may cut a UTF-8
   * character in two (streaming, or one token at a time).
   * @throws TokenizerError for an id outside the vocabulary.
   */
  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    const offsets = this.offsets;
    const size = this.vocabSize;
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const len = id >= 0 && id < size ? offsets[id + 1]! - offsets[id]! : 0;
      if (len === 0 || !Number.isInteger(id)) {
        throw new TokenizerError(`BPETokenizer.decode: id ${id} at position ${i} is not in the vocabulary`);
      }
      total += len;
    }
    const out = new Uint8Array(total);
    const bytes = this.bytes;
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      for (let k = offsets[id]!, end = offsets[id + 1]!; k < end; k++) out[at++] = bytes[k]!;
    }
    return out;
  }

  /** Text of `ids`; a UTF-8 sequence cut by the ids (or invalid) decodes to U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    return utf8Decode(this.decodeBytes(ids));
  }

  /** The ranks in `.tiktoken` format (special tokens are not part of it; keep `specialTokens` and `pattern`). */
  toTiktoken(): string {
    return toTiktokenText(this.mergeableTokens());
  }

  /** A Hugging Face `tokenizer.json` object for this tokenizer (pass it to `JSON.stringify`). */
  toHuggingFace(): HuggingFaceTokenizerJSON {
    return toHuggingFaceJSON({
      tokens: this.mergeableTokens(),
      merges: this.merges ?? this.deriveMerges(),
      specialTokens: this.specials.byText,
      pattern: this.pattern,
      ignoreMerges: this.direct !== undefined,
    });
  }

  /**
   * The merge that makes each token of a rank vocabulary, as Hugging Face's conversion of tiktoken
   * files finds it: BPE over the token's bytes with only lower ranks leaves two parts, which merge
   * into it. A token that lower ranks cannot split in two (never made by merging) gets none.
   */
  private deriveMerges(): [number, number][] {
    const merger = this.merger;
    const merges: [number, number][] = [];
    for (let id = 0; id < this.vocabSize; id++) {
      const from = this.offsets[id]!;
      const n = this.offsets[id + 1]! - from;
      if (n < 2 || this.specials.byId.has(id)) continue;
      merger.reserve(n);
      for (let i = 0; i < n; i++) merger.ids[i] = this.byteToId[this.bytes[from + i]!]!;
      merger.limit = id;
      const m = merger.merge(n);
      merger.limit = BytePairMerger.NO_LIMIT;
      if (m === 2) merges.push([merger.ids[0]!, merger.ids[1]!]);
    }
    return merges;
  }

  /** Token bytes by id, special tokens left out. */
  private mergeableTokens(): (Uint8Array | undefined)[] {
    const tokens: (Uint8Array | undefined)[] = [];
    for (let id = 0; id < this.vocabSize; id++) {
      if (!this.specials.byId.has(id)) tokens[id] = this.tokenBytes(id);
    }
    return tokens;
  }

  private mergeableBytes(id: number): Uint8Array {
    const bytes = this.specials.byId.has(id) ? undefined : this.tokenBytes(id);
    if (bytes === undefined)
      throw new TokenizerError(`BPETokenizer: a merge names id ${id}, which is not a token`);
    return bytes;
  }
}
