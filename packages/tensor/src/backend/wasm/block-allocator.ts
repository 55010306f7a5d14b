const PAGE = 65536;
/** Smallest block, and the alignment of every block: one cache line, 16 floats (a kernel's step). */
const MIN_BLOCK = 64;

/**
 * The bytes a block of at least `bytes` takes: a multiple of 64 in four steps per power of two (64,
 * 128, 192, 256, 320, 384, 448, 512, 640, …), so a freed block serves later requests of about its
 * size and at most a fifth of a block is slack.
 */
export function blockBytes(bytes: number): number {
  const size = Math.max(MIN_BLOCK, Math.ceil(bytes / MIN_BLOCK) * MIN_BLOCK);
  const step = Math.max(MIN_BLOCK, 2 ** Math.floor(Math.log2(size)) / 4);
  return Math.ceil(size / step) * step;
}

/**
 * Blocks of a WebAssembly memory above a fixed base that never move once handed out, so typed arrays
 * over them stay valid while the memory grows (a shared memory grows in place). Freed blocks wait in
 * a free list per size ({@link blockBytes}) for the next request of that size; other requests take
 * fresh memory at the top, growing the memory by at least a quarter at a time.
 */
export class BlockAllocator {
  /** First byte no block has used yet. */
  private top: number;
  /** Free blocks by size. */
  private readonly freeBySize = new Map<number, number[]>();
  /** Size of every block handed out and not freed, by address. */
  private readonly live = new Map<number, number>();
  private liveTotal = 0;
  private freeTotal = 0;
  /** Whether the last {@link BlockAllocator.alloc} reused a freed block (memory never used is zero). */
  lastReused = false;

  /**
   * @param memory the memory to carve.
   * @param base first byte the blocks may use (the fixed layout lies below it).
   * @param limit bytes the memory may grow to.
   */
  constructor(
    private readonly memory: WebAssembly.Memory,
    base: number,
    private readonly limit: number,
  ) {
    this.top = Math.ceil(base / MIN_BLOCK) * MIN_BLOCK;
  }

  /** Bytes in blocks handed out and not freed. */
  get liveBytes(): number {
    return this.liveTotal;
  }

  /** Bytes in freed blocks waiting for reuse. */
  get freeBytes(): number {
    return this.freeTotal;
  }

  /** Byte address of a block of at least `bytes` bytes (64-byte aligned), or -1 when the memory cannot hold it. */
  alloc(bytes: number): number {
    const size = blockBytes(bytes);
    const reused = this.freeBySize.get(size)?.pop();
    let ptr: number;
    this.lastReused = reused !== undefined;
    if (reused !== undefined) {
      ptr = reused;
      this.freeTotal -= size;
    } else {
      if (!this.reach(this.top + size)) return -1;
      ptr = this.top;
      this.top += size;
    }
    this.live.set(ptr, size);
    this.liveTotal += size;
    return ptr;
  }

  /** The size of the live block at `ptr` (0 for an address that is not one). */
  sizeOf(ptr: number): number {
    return this.live.get(ptr) ?? 0;
  }

  /** Returns the block at `ptr` for reuse (a no-op for an address that is not a live block). */
  free(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) return;
    this.live.delete(ptr);
    this.liveTotal -= size;
    this.freeTotal += size;
    const list = this.freeBySize.get(size);
    if (list) list.push(ptr);
    else this.freeBySize.set(size, [ptr]);
  }

  /** Grows the memory to at least `end` bytes; false when the limit or the engine refuses. */
  private reach(end: number): boolean {
    const now = this.memory.buffer.byteLength;
    if (end <= now) return true;
    if (end > this.limit) return false;
    const need = Math.ceil((end - now) / PAGE);
    const roomy = Math.min(Math.max(need, Math.ceil(now / PAGE / 4)), Math.floor((this.limit - now) / PAGE));
    return this.grow(roomy) || this.grow(need);
  }

  private grow(pages: number): boolean {
    try {
      this.memory.grow(pages);
      return true;
    } catch {
      return false;
    }
  }
}
