import { dictionary } from 'cmu-pronouncing-dictionary';
import { type Splits, splitBy } from './hash-split.js';

/** A CMUdict word and its pronunciations. */
export interface CmudictEntry {
  /** Lower-case spelling, as in the dictionary (letters, `'`, `.`, `-`). */
  word: string;
  /**
   * ARPAbet phonemes with stress digits (`"HH AH0 L OW1"`), the dictionary's first pronunciation
   * first, then its variants `word(2)`, `word(3)`, … in that order.
   */
  pronunciations: string[];
}

const VARIANT = /^(.*)\((\d+)\)$/;

/**
 * Every word of CMUdict (npm `cmu-pronouncing-dictionary` v3, 135,155 entries), variants `word(2)`
 * folded into their word: 126,046 words in the dictionary's order. Comments after `#` (`# place,
 * danish`) are dropped.
 */
export function cmudictEntries(): CmudictEntry[] {
  const byWord = new Map<string, { variant: number; phonemes: string }[]>();
  for (const [key, value] of Object.entries(dictionary)) {
    const match = VARIANT.exec(key);
    const word = match ? match[1]! : key;
    const variant = match ? Number(match[2]) : 1;
    const phonemes = value.split('#')[0]!.trim().split(/\s+/).join(' ');
    const list = byWord.get(word) ?? [];
    list.push({ variant, phonemes });
    byWord.set(word, list);
  }
  return [...byWord].map(([word, list]) => ({
    word,
    pronunciations: list.sort((a, b) => a.variant - b.variant).map((p) => p.phonemes),
  }));
}

/**
 * CMUdict split 90/5/5 by word: a word's split is `fnv1a32(word) % 20` of its UTF-8 spelling
 * (0–17 train, 18 valid, 19 test; see {@link splitOf}). Every demo that uses CMUdict uses this
 * split, so no demo trains on another's test words. 113,643 / 6,150 / 6,253 words.
 * @example const { train, test } = cmudict(); // train[0] = { word: "'bout", pronunciations: ['B AW1 T'] }
 */
export function cmudict(): Splits<CmudictEntry> {
  return splitBy(cmudictEntries(), (entry) => entry.word);
}

/** Phonemes without stress digits: `"HH AH0 L OW1"` → `"HH AH L OW"` (39 ARPAbet phonemes). */
export function stripStress(phonemes: string): string {
  return phonemes.replace(/[012]/g, '');
}
