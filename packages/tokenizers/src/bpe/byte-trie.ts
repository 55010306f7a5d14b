import { PairTable } from './pair-table.js';

/**
 * A trie over token bytes: byte sequence → token id. Walking it along a token finds every
 * prefix that is a token in one pass, which is how a tiktoken vocabulary's merge table is built
 * without making a string per split.
 */
export class ByteTrie {
  /** (node, byte) → child node. */
  private readonly edges: PairTable;
  /** Token id ending at each node, -1 for none. Node 0 is the root. */
  private ids: Int32Array;
  private nodes = 1;

  constructor(expectedBytes = 1024) {
    this.edges = new PairTable(expectedBytes);
    this.ids = new Int32Array(Math.max(16, expectedBytes + 1)).fill(-1);
  }

  /** Adds `bytes` → `id`; returns the id already there instead (and keeps it) when there is one. */
  insert(bytes: Uint8Array, id: number): number {
    let node = 0;
    for (let i = 0; i < bytes.length; i++) {
      const slot = this.edges.find(node, bytes[i]!);
      if (slot >= 0) {
        node = this.edges.results[slot]!;
        continue;
      }
      if (this.nodes === this.ids.length) {
        const grown = new Int32Array(this.ids.length * 2).fill(-1);
        grown.set(this.ids);
        this.ids = grown;
      }
      const child = this.nodes++;
      this.edges.set(node, bytes[i]!, child, 0);
      node = child;
    }
    const existing = this.ids[node]!;
    if (existing >= 0) return existing;
    this.ids[node] = id;
    return id;
  }

  /** The id of `bytes[start, end)`, or -1. */
  get(bytes: Uint8Array, start = 0, end = bytes.length): number {
    let node = 0;
    for (let i = start; i < end; i++) {
      const slot = this.edges.find(node, bytes[i]!);
      if (slot < 0) return -1;
      node = this.edges.results[slot]!;
    }
    return this.ids[node]!;
  }

  /**
   * Calls `fn(k, prefixId, suffixId)` for every split of `bytes` into two tokens
   * `bytes[0, k)` and `bytes[k, end)`.
   */
  forEachSplit(bytes: Uint8Array, fn: (k: number, prefix: number, suffix: number) => void): void {
    let node = 0;
    for (let k = 1; k < bytes.length; k++) {
      const slot = this.edges.find(node, bytes[k - 1]!);
      if (slot < 0) return;
      node = this.edges.results[slot]!;
      const prefix = this.ids[node]!;
      if (prefix < 0) continue;
      const suffix = this.get(bytes, k);
      if (suffix >= 0) fn(k, prefix, suffix);
    }
  }
}
