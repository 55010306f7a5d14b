/** Priority of "no merge": larger than every real priority. */
export const NO_MERGE = 0x7fffffff;

/**
 * Open-addressing hash table from a pair of token ids `(left, right)` to the merge they make: its
 * priority (lower merges first) and the resulting id. Flat typed arrays, no allocation per lookup —
 * this is the inner loop of BPE encoding.
 *
 * With a `resolve` function (tiktoken vocabularies, where any two tokens whose bytes join into a
 * token merge, with that token's rank as priority) the table is a memo filled on demand, so a
 * 200k-token vocabulary loads without enumerating every split of every token.
 */
export class PairTable {
  /** The id made by the pair of the last `priority` call that returned less than `NO_MERGE`. */
  result = 0;
  /** Left id per slot, -1 when the slot is empty. */
  private keysLeft: Int32Array;
  private keysRight: Int32Array;
  private results: Int32Array;
  private priorities: Int32Array;
  private mask: number;
  private count = 0;

  /**
   * @param resolve - for pairs not in the table: the id their joined bytes make (which is also the
   *   merge's priority), or -1. Without it, pairs not `set` do not merge.
   */
  constructor(
    expected = 1024,
    private readonly resolve?: (left: number, right: number) => number,
  ) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.mask = cap - 1;
    this.keysLeft = new Int32Array(cap).fill(-1);
    this.keysRight = new Int32Array(cap);
    this.results = new Int32Array(cap);
    this.priorities = new Int32Array(cap);
  }

  /** Number of pairs stored (with a resolver: looked up so far, merging or not). */
  get size(): number {
    return this.count;
  }

  private static hash(left: number, right: number): number {
    let h = Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return h ^ (h >>> 13);
  }

  /** The priority of merging `(left, right)` (`result` then holds the merged id), or `NO_MERGE`. */
  priority(left: number, right: number): number {
    const mask = this.mask;
    const keysLeft = this.keysLeft;
    let i = PairTable.hash(left, right) & mask;
    for (;;) {
      const k = keysLeft[i]!;
      if (k === left && this.keysRight[i] === right) {
        this.result = this.results[i]!;
        return this.priorities[i]!;
      }
      if (k === -1) break;
      i = (i + 1) & mask;
    }
    if (this.resolve === undefined) return NO_MERGE;
    const made = this.resolve(left, right);
    // A memo: forget everything rather than grow without bound on endlessly varied text.
    if (this.count >= 1 << 22) this.clear();
    this.set(left, right, made, made < 0 ? NO_MERGE : made);
    this.result = made;
    return made < 0 ? NO_MERGE : made;
  }

  /** Stores the merge of `(left, right)`; an existing entry keeps the lower priority. */
  set(left: number, right: number, result: number, priority: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const mask = this.mask;
    let i = PairTable.hash(left, right) & mask;
    for (;;) {
      const k = this.keysLeft[i]!;
      if (k === -1) {
        this.keysLeft[i] = left;
        this.keysRight[i] = right;
        this.results[i] = result;
        this.priorities[i] = priority;
        this.count++;
        return;
      }
      if (k === left && this.keysRight[i] === right) {
        if (priority < this.priorities[i]!) {
          this.results[i] = result;
          this.priorities[i] = priority;
        }
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private clear(): void {
    this.keysLeft.fill(-1);
    this.count = 0;
  }

  private grow(): void {
    const old = { l: this.keysLeft, r: this.keysRight, res: this.results, p: this.priorities };
    const cap = (this.mask + 1) * 2;
    this.mask = cap - 1;
    this.keysLeft = new Int32Array(cap).fill(-1);
    this.keysRight = new Int32Array(cap);
    this.results = new Int32Array(cap);
    this.priorities = new Int32Array(cap);
    this.count = 0;
    for (let i = 0; i < old.l.length; i++) {
      if (old.l[i] !== -1) this.set(old.l[i]!, old.r[i]!, old.res[i]!, old.p[i]!);
    }
  }
}
