/**
 * Open-addressing hash table from a string's content to an integer, looked up by a range of a
 * larger text — no substring is allocated on the encode path. Keys live as UTF-16 code units in
 * one pool. The BPE encoder keeps its whole-piece token lookup and its piece cache in these.
 */
export class PieceTable {
  private pool: Uint16Array;
  private used = 0;
  /**
   * Four ints per slot, kept together so a probe touches one cache line: key length (0 marks an
   * empty slot; keys are never empty), key hash, key start in `pool`, value.
   */
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024, poolSize = expected * 8) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap * 4);
    this.pool = new Uint16Array(Math.max(16, poolSize));
  }

  /** FNV-1a over the UTF-16 code units `text[start, end)`. */
  static hash(text: string, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h;
  }

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Code units held by the keys. */
  get poolUsed(): number {
    return this.used;
  }

  /** The value of the key `text[start, end)` whose hash is `hash`, or -1. */
  find(text: string, start: number, end: number, hash: number): number {
    const len = end - start;
    const mask = this.mask;
    const slots = this.slots;
    let i = hash & mask;
    for (;;) {
      const at = i << 2;
      const l = slots[at]!;
      if (l === 0) return -1;
      if (slots[at + 1] === hash && l === len) {
        const pool = this.pool;
        let k = slots[at + 2]!;
        let j = start;
        while (j < end && pool[k] === text.charCodeAt(j)) {
          j++;
          k++;
        }
        if (j === end) return slots[at + 3]!;
      }
      i = (i + 1) & mask;
    }
  }

  /** Adds the key `text[start, end)` (not already present) with `value`. */
  insert(text: string, start: number, end: number, hash: number, value: number): void {
    const len = end - start;
    const at = this.reservePool(len);
    for (let j = start; j < end; j++) this.pool[at + j - start] = text.charCodeAt(j);
    this.place(at, len, hash, value);
  }

  /**
   * Adds the UTF-8 `bytes` as a key, decoded to UTF-16, with `value`. Returns false (adding
   * nothing) when they are not well-formed UTF-8 or the key is already present.
   */
  insertUtf8(bytes: Uint8Array, value: number): boolean {
    const at = this.reservePool(bytes.length);
    const pool = this.pool;
    let n = at;
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i]!;
      let cp: number;
      let need: number;
      if (b < 0x80) {
        cp = b;
        need = 0;
      } else if (b >= 0xc2 && b <= 0xdf) {
        cp = b & 0x1f;
        need = 1;
      } else if (b >= 0xe0 && b <= 0xef) {
        cp = b & 0x0f;
        need = 2;
      } else if (b >= 0xf0 && b <= 0xf4) {
        cp = b & 0x07;
        need = 3;
      } else return false;
      for (let k = 1; k <= need; k++) {
        const c = bytes[i + k];
        if (c === undefined || (c & 0xc0) !== 0x80) return false;
        cp = (cp << 6) | (c & 0x3f);
      }
      const min = need === 1 ? 0x80 : need === 2 ? 0x800 : need === 3 ? 0x10000 : 0;
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
      i += need + 1;
      if (cp >= 0x10000) {
        const hi = 0xd800 + ((cp - 0x10000) >> 10);
        pool[n++] = hi;
        h = Math.imul(h ^ hi, 0x01000193);
        cp = 0xdc00 + ((cp - 0x10000) & 0x3ff);
      }
      pool[n++] = cp;
      h = Math.imul(h ^ cp, 0x01000193);
    }
    const len = n - at;
    if (this.findPooled(at, len, h) >= 0) return false;
    this.place(at, len, h, value);
    return true;
  }

  /** Removes every key. */
  clear(): void {
    this.slots.fill(0);
    this.used = 0;
    this.count = 0;
  }

  private findPooled(from: number, len: number, hash: number): number {
    const slots = this.slots;
    let i = hash & this.mask;
    for (;;) {
      const at = i << 2;
      const l = slots[at]!;
      if (l === 0) return -1;
      if (l === len && slots[at + 1] === hash) {
        let k = 0;
        const s = slots[at + 2]!;
        while (k < len && this.pool[s + k] === this.pool[from + k]) k++;
        if (k === len) return slots[at + 3]!;
      }
      i = (i + 1) & this.mask;
    }
  }

  private reservePool(len: number): number {
    if (this.used + 2 * len > this.pool.length) {
      const grown = new Uint16Array(Math.max(this.pool.length * 2, this.used + 2 * len));
      grown.set(this.pool.subarray(0, this.used));
      this.pool = grown;
    }
    return this.used;
  }

  private place(from: number, len: number, hash: number, value: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    this.used = from + len;
    this.put(this.slots, from, len, hash, value);
    this.count++;
  }

  private put(slots: Int32Array, from: number, len: number, hash: number, value: number): void {
    let i = hash & this.mask;
    while (slots[i << 2] !== 0) i = (i + 1) & this.mask;
    const at = i << 2;
    slots[at] = len;
    slots[at + 1] = hash;
    slots[at + 2] = from;
    slots[at + 3] = value;
  }

  private grow(): void {
    const old = this.slots;
    this.mask = (this.mask + 1) * 2 - 1;
    this.slots = new Int32Array((this.mask + 1) * 4);
    for (let at = 0; at < old.length; at += 4) {
      if (old[at] !== 0) this.put(this.slots, old[at + 2]!, old[at]!, old[at + 1]!, old[at + 3]!);
    }
  }
}
