/**
 * Levenshtein distance between two sequences: the fewest insertions, deletions and substitutions
 * that turn `a` into `b` (each costs 1).
 * @example editDistance(['K', 'AE1', 'T'], ['K', 'AA1', 'T', 'S']) // 2
 */
export function editDistance<T>(a: readonly T[], b: readonly T[]): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** Word and phoneme error rates over a test set, as fractions. */
export interface ErrorRates {
  /** Words whose output matches none of their references. */
  wer: number;
  /** Edits to the closest reference, summed, over that reference's phonemes, summed. */
  per: number;
  words: number;
}

/**
 * Accumulates WER and PER the grapheme-to-phoneme way (Bisani & Ney; Yao & Zweig): a word is right
 * when the output equals any of its references; its phoneme errors are the edit distance to the
 * reference closest to the output, and PER divides the summed edits by the summed lengths of those
 * closest references.
 */
export class ErrorRateCounter {
  private wrongWords = 0;
  private edits = 0;
  private referencePhonemes = 0;
  private words = 0;

  /** Scores one word: `output` and its references, each a phoneme sequence. */
  add(output: readonly string[], references: readonly (readonly string[])[]): void {
    let best = { edits: Number.POSITIVE_INFINITY, length: 0 };
    for (const reference of references) {
      const edits = editDistance(output, reference);
      if (edits < best.edits || (edits === best.edits && reference.length > best.length))
        best = { edits, length: reference.length };
    }
    this.words++;
    if (best.edits > 0) this.wrongWords++;
    this.edits += best.edits;
    this.referencePhonemes += best.length;
  }

  /** The rates so far (0 for an empty set). */
  rates(): ErrorRates {
    return {
      wer: this.words ? this.wrongWords / this.words : 0,
      per: this.referencePhonemes ? this.edits / this.referencePhonemes : 0,
      words: this.words,
    };
  }
}
