import { MinHeap } from './heap.js';
import { NO_MERGE as NONE, type PairTable } from './pair-table.js';

/** Pieces longer than this use the heap and linked list instead of the rescanning loop. */
const SHORT = 48;

/**
 * Applies BPE merges to one piece: repeatedly merges the adjacent pair with the lowest priority
 * (the leftmost on ties), as tiktoken does, until no pair merges. Short pieces rescan a small array
 * (fastest for the few-byte pieces of real text); long ones keep a linked list and a heap of
 * candidate merges, O(n log n) however long the piece.
 */
export class BytePairMerger {
  /** Token ids of the piece: fill `[0, n)`, call `merge(n)`, read `[0, result)`. */
  ids = new Int32Array(256);
  private prio = new Int32Array(256);
  private res = new Int32Array(256);
  private next = new Int32Array(256);
  private prev = new Int32Array(256);
  private readonly heap = new MinHeap(256);
  /** The `limit` that ignores no merge. */
  static readonly NO_LIMIT = NONE;
  /** Merges with this priority or higher are ignored (used to find the merge that makes a token). */
  limit = NONE;

  constructor(private readonly table: PairTable) {}

  /** Makes `ids` hold at least `n` entries (its contents are lost). */
  reserve(n: number): void {
    if (n <= this.ids.length) return;
    let cap = this.ids.length;
    while (cap < n) cap *= 2;
    this.ids = new Int32Array(cap);
    this.prio = new Int32Array(cap);
    this.res = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.prev = new Int32Array(cap);
  }

  /** Merges `ids[0, n)` in place and returns the number of tokens left. */
  merge(n: number): number {
    if (n < 2) return n;
    return n <= SHORT ? this.mergeShort(n) : this.mergeLong(n);
  }

  private mergeShort(n: number): number {
    const { ids, prio, res, table, limit } = this;
    for (let i = 0; i < n - 1; i++) {
      const p = table.priority(ids[i]!, ids[i + 1]!);
      prio[i] = p >= limit ? NONE : p;
      res[i] = table.result;
    }
    while (n > 1) {
      let best = NONE;
      let at = -1;
      for (let i = 0; i < n - 1; i++) {
        if (prio[i]! < best) {
          best = prio[i]!;
          at = i;
        }
      }
      if (at < 0) break;
      ids[at] = res[at]!;
      for (let i = at + 1; i < n - 1; i++) ids[i] = ids[i + 1]!;
      for (let i = at + 1; i < n - 2; i++) {
        prio[i] = prio[i + 1]!;
        res[i] = res[i + 1]!;
      }
      n--;
      for (let i = at > 0 ? at - 1 : 0; i <= at && i < n - 1; i++) {
        const p = table.priority(ids[i]!, ids[i + 1]!);
        prio[i] = p >= limit ? NONE : p;
        res[i] = table.result;
      }
    }
    return n;
  }

  private mergeLong(n: number): number {
    const { ids, next, prev, heap, table, limit } = this;
    heap.clear();
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
      if (i + 1 < n) {
        const p = table.priority(ids[i]!, ids[i + 1]!);
        if (p < limit) heap.push(p, i);
      }
    }
    while (heap.size > 0) {
      const p = heap.topPrimary;
      const i = heap.topSecondary;
      heap.pop();
      // Skip entries made stale by an earlier merge: dead left part, no right part, or another pair now.
      const j = next[i]!;
      if (ids[i] === -1 || j < 0) continue;
      if (table.priority(ids[i]!, ids[j]!) !== p) continue;
      ids[i] = table.result;
      ids[j] = -1;
      const k = next[j]!;
      next[i] = k;
      if (k >= 0) prev[k] = i;
      const h = prev[i]!;
      if (h >= 0) {
        const q = table.priority(ids[h]!, ids[i]!);
        if (q < limit) heap.push(q, h);
      }
      if (k >= 0) {
        const q = table.priority(ids[i]!, ids[k]!);
        if (q < limit) heap.push(q, i);
      }
    }
    let m = 0;
    for (let i = 0; i >= 0; i = next[i]!) ids[m++] = ids[i]!;
    return m;
  }
}
