const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mix(h: number, byte: number): number {
  return Math.imul(h ^ byte, FNV_PRIME);
}

/**
 * Token bytes → id, as an open-addressing hash over the vocabulary's flat byte store (no copy of
 * the keys). It answers "is the concatenation of tokens a and b a token?" — tiktoken's merge
 * rule — by hashing the two byte ranges in place.
 */
export class TokenTable {
  /** id + 1 per slot; 0 marks an empty slot. */
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;

  /**
   * @param bytes - the vocabulary's bytes; token `id` is `bytes[offsets[id], offsets[id + 1])`.
   * @param count - how many tokens will be inserted.
   */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly offsets: Int32Array,
    count: number,
  ) {
    let cap = 16;
    while (cap < count * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
  }

  private hashOf(id: number, h: number): number {
    const bytes = this.bytes;
    for (let k = this.offsets[id]!, end = this.offsets[id + 1]!; k < end; k++) h = mix(h, bytes[k]!);
    return h;
  }

  /** Adds token `id`; returns the id that already has the same bytes instead, if there is one. */
  insert(id: number): number {
    const hash = this.hashOf(id, FNV_OFFSET);
    const from = this.offsets[id]!;
    const len = this.offsets[id + 1]! - from;
    const existing = this.probe(hash, len, (k) => this.bytes[from + k]!);
    if (existing >= 0) return existing;
    let i = hash & this.mask;
    while (this.slots[i] !== 0) i = (i + 1) & this.mask;
    this.slots[i] = id + 1;
    this.hashes[i] = hash;
    return id;
  }

  /** The id of the token whose bytes are `key`, or -1. */
  get(key: Uint8Array): number {
    let h = FNV_OFFSET;
    for (let k = 0; k < key.length; k++) h = mix(h, key[k]!);
    return this.probe(h, key.length, (k) => key[k]!);
  }

  /** The id of the token whose bytes are token `a`'s then token `b`'s, or -1. */
  concat(a: number, b: number): number {
    const hash = this.hashOf(b, this.hashOf(a, FNV_OFFSET));
    const fromA = this.offsets[a]!;
    const lenA = this.offsets[a + 1]! - fromA;
    const fromB = this.offsets[b]! - lenA;
    const len = lenA + this.offsets[b + 1]! - this.offsets[b]!;
    return this.probe(hash, len, (k) => this.bytes[k < lenA ? fromA + k : fromB + k]!);
  }

  /** Finds the id whose bytes have `hash`, length `len` and `byteAt(k)` for each k; -1 when none. */
  private probe(hash: number, len: number, byteAt: (k: number) => number): number {
    const { slots, hashes, offsets, bytes, mask } = this;
    for (let i = hash & mask; slots[i] !== 0; i = (i + 1) & mask) {
      if (hashes[i] !== hash) continue;
      const id = slots[i]! - 1;
      const from = offsets[id]!;
      if (offsets[id + 1]! - from !== len) continue;
      let k = 0;
      while (k < len && bytes[from + k] === byteAt(k)) k++;
      if (k === len) return id;
    }
    return -1;
  }
}
