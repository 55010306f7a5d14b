/**
 * A binary min-heap of entries with two numeric keys, ordered by `primary` then `secondary`.
 * BPE encoding keys merges by (priority, position): the leftmost of the best merges comes first.
 * Training keys pairs by (-count, pair key): the most frequent, then the smallest pair.
 */
export class MinHeap {
  private primary: Float64Array;
  private secondary: Float64Array;
  private n = 0;

  constructor(capacity = 64) {
    this.primary = new Float64Array(Math.max(capacity, 4));
    this.secondary = new Float64Array(Math.max(capacity, 4));
  }

  /** Number of entries. */
  get size(): number {
    return this.n;
  }

  /** Primary key of the smallest entry (undefined behaviour when empty). */
  get topPrimary(): number {
    return this.primary[0]!;
  }

  /** Secondary key of the smallest entry (undefined behaviour when empty). */
  get topSecondary(): number {
    return this.secondary[0]!;
  }

  /** Removes every entry. */
  clear(): void {
    this.n = 0;
  }

  /** Adds an entry. */
  push(primary: number, secondary: number): void {
    if (this.n === this.primary.length) {
      const p = new Float64Array(this.n * 2);
      const s = new Float64Array(this.n * 2);
      p.set(this.primary);
      s.set(this.secondary);
      this.primary = p;
      this.secondary = s;
    }
    const pa = this.primary;
    const sa = this.secondary;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pp = pa[parent]!;
      if (pp < primary || (pp === primary && sa[parent]! <= secondary)) break;
      pa[i] = pp;
      sa[i] = sa[parent]!;
      i = parent;
    }
    pa[i] = primary;
    sa[i] = secondary;
  }

  /** Removes the smallest entry. */
  pop(): void {
    const n = --this.n;
    if (n <= 0) return;
    const pa = this.primary;
    const sa = this.secondary;
    const primary = pa[n]!;
    const secondary = sa[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (pa[right]! < pa[child]! || (pa[right] === pa[child] && sa[right]! < sa[child]!))) {
        child = right;
      }
      const cp = pa[child]!;
      if (primary < cp || (primary === cp && secondary <= sa[child]!)) break;
      pa[i] = cp;
      sa[i] = sa[child]!;
      i = child;
    }
    pa[i] = primary;
    sa[i] = secondary;
  }
}
