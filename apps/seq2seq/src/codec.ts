import { BPETokenizer, tokenizerFromHuggingFace, tokenizerToHuggingFace } from '@proj/tokenizers';
import { joinNumberTokens, numberTokens } from 'demo-data';
import { InputError } from './input-error.js';

/**
 * Text ↔ token ids for one side of a task, with the three ids every model needs: padding (which
 * the models mask and the loss skips), the start token fed first, and the end token.
 */
export interface Codec {
  readonly vocabSize: number;
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  /**
   * Ids of `text` (without BOS/EOS).
   * @throws InputError naming what is not in the vocabulary, or for empty text.
   */
  encode(text: string): number[];
  /** Text of `ids`, stopping at the end token and skipping padding and the start token. */
  decode(ids: readonly number[]): string;
  /** A printable label per id (for tables and heatmaps). */
  labels(ids: readonly number[]): string[];
  /** A JSON form that {@link codecFromJSON} reads back. */
  toJSON(): CodecJSON;
}

/** How a {@link SymbolCodec} cuts text into symbols and glues them back. */
export type Segmentation = 'chars' | 'spaces' | 'number-words';

const SEGMENTATIONS: Record<
  Segmentation,
  { split(text: string): string[]; join(symbols: string[]): string }
> = {
  chars: { split: (text) => [...text], join: (symbols) => symbols.join('') },
  spaces: { split: (text) => text.split(/\s+/).filter(Boolean), join: (symbols) => symbols.join(' ') },
  'number-words': { split: numberTokens, join: joinNumberTokens },
};

/** The JSON form of a codec. */
export type CodecJSON =
  | { kind: 'symbols'; segmentation: Segmentation; symbols: string[] }
  | { kind: 'bpe'; tokenizer: unknown };

/** The special tokens of every codec, ids 0–2: padding, start (also the GPT's separator), end. */
export const SPECIALS = ['<pad>', '<s>', '</s>'] as const;

/** A closed vocabulary of symbols (letters, phonemes, words): ids 0–2 are `<pad>`, `<s>`, `</s>`. */
export class SymbolCodec implements Codec {
  readonly padId = 0;
  readonly bosId = 1;
  readonly eosId = 2;
  private readonly ids: Map<string, number>;

  constructor(
    readonly segmentation: Segmentation,
    /** The symbols, ids 3, 4, … in this order. */
    readonly symbols: readonly string[],
  ) {
    this.ids = new Map(symbols.map((s, i) => [s, i + SPECIALS.length]));
  }

  /** The codec of every symbol in `texts`, sorted. */
  static fromTexts(segmentation: Segmentation, texts: Iterable<string>): SymbolCodec {
    const seen = new Set<string>();
    for (const text of texts) for (const s of SEGMENTATIONS[segmentation].split(text)) seen.add(s);
    return new SymbolCodec(segmentation, [...seen].sort());
  }

  get vocabSize(): number {
    return this.symbols.length + SPECIALS.length;
  }

  /** The symbols of `text`. */
  split(text: string): string[] {
    return SEGMENTATIONS[this.segmentation].split(text);
  }

  encode(text: string): number[] {
    const symbols = this.split(text);
    if (symbols.length === 0) throw new InputError('the input is empty');
    const unknown = [...new Set(symbols.filter((s) => !this.ids.has(s)))];
    if (unknown.length > 0) {
      const what = this.segmentation === 'chars' ? 'characters' : 'words';
      const known = this.symbols.length <= 60 ? ` (known: ${this.symbols.join(' ')})` : '';
      throw new InputError(
        `${unknown.map((s) => JSON.stringify(s)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the model's ${what}${known}`,
      );
    }
    return symbols.map((s) => this.ids.get(s)!);
  }

  decode(ids: readonly number[]): string {
    return SEGMENTATIONS[this.segmentation].join(this.labels(untilEnd(ids, this)));
  }

  labels(ids: readonly number[]): string[] {
    return ids.map((id) =>
      id < SPECIALS.length ? SPECIALS[id]! : (this.symbols[id - SPECIALS.length] ?? '<?>'),
    );
  }

  toJSON(): CodecJSON {
    return { kind: 'symbols', segmentation: this.segmentation, symbols: [...this.symbols] };
  }
}

/** Byte-level BPE (any text encodes) with `<pad>`, `<s>`, `</s>` as special tokens. */
export class BpeCodec implements Codec {
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;

  constructor(readonly tokenizer: BPETokenizer) {
    const id = (token: string) => {
      const found = tokenizer.specialTokens.get(token);
      if (found === undefined) throw new Error(`BpeCodec: the tokenizer has no special token ${token}`);
      return found;
    };
    [this.padId, this.bosId, this.eosId] = SPECIALS.map(id) as [number, number, number];
  }

  /** Trains byte-level BPE on `texts` to `vocabSize` ids (the three special tokens included). */
  static train(texts: Iterable<string>, vocabSize: number): BpeCodec {
    return new BpeCodec(BPETokenizer.train(texts, { vocabSize, specialTokens: [...SPECIALS] }));
  }

  get vocabSize(): number {
    return this.tokenizer.vocabSize;
  }

  encode(text: string): number[] {
    if (text.trim() === '') throw new InputError('the input is empty');
    return this.tokenizer.encode(text);
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode(untilEnd(ids, this));
  }

  labels(ids: readonly number[]): string[] {
    return ids.map((id) => this.tokenizer.decode([id]));
  }

  toJSON(): CodecJSON {
    return { kind: 'bpe', tokenizer: tokenizerToHuggingFace(this.tokenizer) };
  }
}

/** The ids before the first end token, without padding or start tokens. */
function untilEnd(ids: readonly number[], codec: Codec): number[] {
  const end = ids.indexOf(codec.eosId);
  return (end === -1 ? ids : ids.slice(0, end)).filter((id) => id !== codec.padId && id !== codec.bosId);
}

/** A codec from its JSON form. */
export function codecFromJSON(json: CodecJSON): Codec {
  if (json.kind === 'symbols') return new SymbolCodec(json.segmentation, json.symbols);
  const tokenizer = tokenizerFromHuggingFace(json.tokenizer as string);
  if (!(tokenizer instanceof BPETokenizer))
    throw new Error('codecFromJSON: expected a byte-level BPE tokenizer');
  return new BpeCodec(tokenizer);
}
