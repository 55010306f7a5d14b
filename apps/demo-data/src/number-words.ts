import { toCardinal as englishWords } from 'n2words/en-US';
import { toCardinal as spanishWords } from 'n2words/es-ES';
import { toCardinal as frenchWords } from 'n2words/fr-FR';
import { type SplitName, type Splits, splitOf } from './hash-split.js';

/** Languages of the number-words corpus (n2words locales whose words are separated by spaces or hyphens). */
export const NUMBER_LANGUAGES = ['en-US', 'es-ES', 'fr-FR'] as const;

/** One of {@link NUMBER_LANGUAGES}. */
export type NumberLanguage = (typeof NUMBER_LANGUAGES)[number];

const CARDINALS: Record<NumberLanguage, (value: number) => string> = {
  'en-US': englishWords,
  'es-ES': spanishWords,
  'fr-FR': frenchWords,
};

/**
 * The cardinal of a non-negative integer in words, as npm `n2words` v4 writes it:
 * `numberToWords(42, 'en-US')` → `"forty-two"`, `numberToWords(42, 'es-ES')` → `"cuarenta y dos"`.
 * @throws RangeError for an unknown language or a value that is not a non-negative safe integer.
 */
export function numberToWords(value: number, language: NumberLanguage): string {
  const cardinal = CARDINALS[language];
  if (!cardinal)
    throw new RangeError(
      `numberToWords: unknown language '${language}' (known: ${NUMBER_LANGUAGES.join(', ')})`,
    );
  if (!(Number.isSafeInteger(value) && value >= 0))
    throw new RangeError(`numberToWords: value must be a non-negative integer, got ${value}`);
  return cardinal(value);
}

/** The words of a number phrase, hyphens as tokens of their own: `"forty-two"` → `["forty", "-", "two"]`. */
export function numberTokens(text: string): string[] {
  return text.split(/\s+|(-)/).filter((token) => token !== undefined && token !== '');
}

/** The phrase back from its tokens: `["forty", "-", "two"]` → `"forty-two"`. */
export function joinNumberTokens(tokens: readonly string[]): string {
  return tokens.join(' ').replaceAll(' - ', '-');
}

/** A number and its words in two languages. */
export interface NumberPair {
  value: number;
  source: string;
  target: string;
}

/** Options of {@link numberWords}. */
export interface NumberWordsOptions {
  /** Source language (default `'en-US'`). */
  from?: NumberLanguage;
  /** Target language (default `'es-ES'`). */
  to?: NumberLanguage;
  /** Numbers are drawn from 0 … below − 1 (default 1,000,000). */
  below?: number;
  /**
   * Most source tokens ({@link numberTokens}) of a train/valid/test pair (default: no limit). Longer
   * numbers of the test hash bucket go to `long` instead: a length split, as SCAN's.
   */
  maxLength?: number;
  /** Pairs wanted per part (defaults 50,000 / 2,000 / 2,000 / 2,000). */
  sizes?: Partial<Record<SplitName | 'long', number>>;
}

/** The number-words corpus: train/valid/test within the length limit, and longer held-out numbers. */
export interface NumberWordsCorpus extends Splits<NumberPair> {
  /** Test-bucket numbers with more source tokens than `maxLength`: longer than any training source. */
  long: NumberPair[];
}

/**
 * A parallel corpus of number words (`"forty-two"` → `"cuarenta y dos"`). Numbers are visited in a
 * fixed low-discrepancy order, `n ← (n + a) mod below` with `a` the integer nearest `below·(√5 − 1)/2`
 * that is coprime with `below` (so every number comes once, spread evenly over the range), and each
 * goes to the split of its decimal string (`splitOf(String(n))`, 90/5/5) until every part is full.
 * Deterministic: the same options give the same pairs everywhere.
 * @example const { train, test, long } = numberWords({ maxLength: 9, sizes: { train: 20_000 } });
 */
export function numberWords(options: NumberWordsOptions = {}): NumberWordsCorpus {
  const { from = 'en-US', to = 'es-ES', below = 1_000_000, maxLength = Number.POSITIVE_INFINITY } = options;
  if (!(Number.isSafeInteger(below) && below >= 1))
    throw new RangeError(`numberWords: below must be a positive integer, got ${below}`);
  const wanted = { train: 50_000, valid: 2_000, test: 2_000, long: 2_000, ...options.sizes };
  const out: NumberWordsCorpus = { train: [], valid: [], test: [], long: [] };
  const parts = ['train', 'valid', 'test', 'long'] as const;
  const full = () => parts.every((p) => out[p].length >= wanted[p]);
  const step = coprimeNear(below, Math.round((below * (Math.sqrt(5) - 1)) / 2));
  let value = 0;
  for (let i = 0; i < below && !full(); i++, value = (value + step) % below) {
    const source = numberToWords(value, from);
    const split = splitOf(String(value));
    const part = numberTokens(source).length <= maxLength ? split : split === 'test' ? 'long' : null;
    if (part && out[part].length < wanted[part])
      out[part].push({ value, source, target: numberToWords(value, to) });
  }
  return out;
}

/** The smallest integer ≥ `start` (and ≥ 1) sharing no factor with `n`. */
function coprimeNear(n: number, start: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let a = Math.max(1, start);
  while (gcd(n, a) !== 1) a++;
  return a;
}
