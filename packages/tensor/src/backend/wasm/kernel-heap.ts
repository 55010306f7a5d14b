const PAGE = 65536;

/** A block of kernel memory that outlives kernel calls (a packed weight); `ptr` moves when the heap does. */
export interface HeapBlock {
  /** Byte address now (read it at each call: the heap moves up when the memory grows). */
  ptr: number;
  /** Bytes reserved (a multiple of 64). */
  readonly bytes: number;
}

/**
 * Long-lived blocks at the top of a kernel memory, above the per-call arena (which always starts at
 * the bottom): `[start, memory end)`. When a call needs more arena than lies below `start`, the memory
 * grows and the blocks move up by the growth, so the arena never overlaps them. A new block takes the
 * first gap freed blocks left, else the space between the highest arena and the heap, else grown
 * memory; the heap shrinks from below as its lowest blocks are freed.
 */
export class KernelHeap {
  /** Live blocks, lowest address first. */
  private readonly blocks: HeapBlock[] = [];
  /** Lowest address the heap may hold; the memory's end when it holds nothing. */
  private start: number;
  /** Highest address a call's arena has reached: blocks may go between it and `start`. */
  private arenaTop = 0;

  constructor(private readonly memory: WebAssembly.Memory) {
    this.start = memory.buffer.byteLength;
  }

  /** Bytes the live blocks hold. */
  get bytes(): number {
    return this.blocks.reduce((sum, b) => sum + b.bytes, 0);
  }

  /**
   * Makes `[0, top)` free of blocks (growing the memory and moving the blocks up when needed); false
   * when the memory cannot grow that far.
   */
  reserveBelow(top: number): boolean {
    this.arenaTop = Math.max(this.arenaTop, top);
    if (top <= this.start) return true;
    const end = this.memory.buffer.byteLength;
    const need = Math.ceil((top - this.start) / PAGE);
    // Grow by at least a quarter, so a slowly rising need does not grow the memory on every call.
    if (!this.grow(Math.max(need, Math.ceil(end / PAGE / 4))) && !this.grow(need)) return false;
    const delta = this.memory.buffer.byteLength - end;
    if (this.blocks.length > 0) {
      new Uint8Array(this.memory.buffer).copyWithin(this.start + delta, this.start, end);
      for (const block of this.blocks) block.ptr += delta;
    }
    this.start += delta;
    return true;
  }

  /** A block of at least `bytes` bytes (64-byte aligned), or null when the memory cannot grow. */
  alloc(bytes: number): HeapBlock | null {
    const size = Math.ceil(Math.max(bytes, 1) / 64) * 64;
    const end = this.memory.buffer.byteLength;
    // first fit among the gaps between blocks and above the last one
    let from = this.blocks[0]?.ptr ?? end;
    for (let i = 0; i <= this.blocks.length; i++) {
      const to = this.blocks[i]?.ptr ?? end;
      if (to - from >= size) return this.insert(i, from, size);
      if (i < this.blocks.length) from = to + this.blocks[i]!.bytes;
    }
    // below the heap, above anything a call has used
    if (this.start - size >= this.arenaTop) return this.insert(0, this.start - size, size);
    // grow: the block goes where the free tail above the last block starts
    const tail = end - from;
    if (!this.grow(Math.ceil((size - tail) / PAGE))) return null;
    return this.insert(this.blocks.length, from, size);
  }

  /** Frees `block` (a no-op for a block already freed). */
  free(block: HeapBlock): void {
    const i = this.blocks.indexOf(block);
    if (i < 0) return;
    this.blocks.splice(i, 1);
    this.start = this.blocks[0]?.ptr ?? this.memory.buffer.byteLength;
  }

  private insert(index: number, ptr: number, bytes: number): HeapBlock {
    const block = { ptr, bytes };
    this.blocks.splice(index, 0, block);
    this.start = Math.min(this.start, ptr);
    return block;
  }

  private grow(pages: number): boolean {
    if (pages <= 0) return true;
    try {
      this.memory.grow(pages);
      return true;
    } catch {
      return false;
    }
  }
}
