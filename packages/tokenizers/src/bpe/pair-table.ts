/**
 * Open-addressing hash table from a pair of token ids `(left, right)` to the merge they make:
 * the resulting token id and the merge's priority (lower merges first). Flat typed arrays, no
 * allocation per lookup — this is the inner loop of BPE encoding.
 */
export class PairTable {
  /** Left id per slot, -1 when the slot is empty. */
  private keysLeft: Int32Array;
  private keysRight: Int32Array;
  /** Token id that merging the slot's pair produces. */
  results: Int32Array;
  /** Priority of the slot's merge: lower is applied first. */
  priorities: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.mask = cap - 1;
    this.keysLeft = new Int32Array(cap).fill(-1);
    this.keysRight = new Int32Array(cap);
    this.results = new Int32Array(cap);
    this.priorities = new Int32Array(cap);
  }

  /** Number of pairs stored. */
  get size(): number {
    return this.count;
  }

  private static hash(left: number, right: number): number {
    let h = Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return h ^ (h >>> 13);
  }

  /** The slot holding `(left, right)`, or -1 when the pair does not merge. */
  find(left: number, right: number): number {
    const mask = this.mask;
    const keysLeft = this.keysLeft;
    let i = PairTable.hash(left, right) & mask;
    for (;;) {
      const k = keysLeft[i]!;
      if (k === left && this.keysRight[i] === right) return i;
      if (k === -1) return -1;
      i = (i + 1) & mask;
    }
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

  /** Calls `fn` for every stored pair. */
  forEach(fn: (left: number, right: number, result: number, priority: number) => void): void {
    for (let i = 0; i <= this.mask; i++) {
      if (this.keysLeft[i] !== -1)
        fn(this.keysLeft[i]!, this.keysRight[i]!, this.results[i]!, this.priorities[i]!);
    }
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
