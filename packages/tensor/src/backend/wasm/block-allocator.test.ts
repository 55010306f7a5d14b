import { describe, expect, it } from 'vitest';
import { BlockAllocator, blockBytes } from './block-allocator.js';

const PAGE = 65536;

describe('blockBytes', () => {
  it('rounds up to 64 bytes, in four steps per power of two', () => {
    expect([1, 64, 65, 128, 129, 200, 256, 257, 320, 321, 1000, 1024, 1025].map(blockBytes)).toEqual([
      64, 64, 128, 128, 192, 256, 256, 320, 320, 384, 1024, 1024, 1280,
    ]);
  });

  it('wastes at most a fifth of a block above 256 bytes', () => {
    for (let bytes = 257; bytes < 1 << 22; bytes = Math.ceil(bytes * 1.37)) {
      const size = blockBytes(bytes);
      expect(size).toBeGreaterThanOrEqual(bytes);
      expect((size - bytes) / size).toBeLessThanOrEqual(0.2);
    }
  });
});

describe('BlockAllocator', () => {
  it('hands out aligned, disjoint blocks above the base and reuses freed ones of the same size', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 100 });
    const blocks = new BlockAllocator(memory, 1000, 100 * PAGE);
    const a = blocks.alloc(100);
    const b = blocks.alloc(5000);
    expect(a).toBe(1024);
    expect(b).toBe(a + 128);
    expect([a % 64, b % 64]).toEqual([0, 0]);
    expect(blocks.lastReused).toBe(false);
    expect(blocks.liveBytes).toBe(128 + blockBytes(5000));
    blocks.free(a);
    blocks.free(a); // a second free of the same block is a no-op
    expect(blocks.freeBytes).toBe(128);
    expect(blocks.alloc(120)).toBe(a);
    expect(blocks.lastReused).toBe(true);
    expect(blocks.alloc(120)).toBe(b + blockBytes(5000)); // none left of that size: fresh memory
  });

  it('grows the memory for new blocks without moving those handed out', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 100, shared: true });
    const blocks = new BlockAllocator(memory, 0, 100 * PAGE);
    const first = blocks.alloc(1000);
    const view = new Float32Array(memory.buffer, first, 250).fill(7);
    const big = blocks.alloc(10 * PAGE);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 10 * PAGE);
    expect(view[249]).toBe(7); // a shared memory grows in place: the view still reads the block
    expect(new Float32Array(memory.buffer, first, 250)[0]).toBe(7);
  });

  it('returns -1 past its limit and when the memory cannot grow', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    expect(new BlockAllocator(memory, 0, 4 * PAGE).alloc(3 * PAGE)).toBe(-1); // the memory's maximum
    expect(new BlockAllocator(memory, 0, PAGE).alloc(PAGE + 64)).toBe(-1); // the limit
    expect(new BlockAllocator(memory, 0, 2 * PAGE).alloc(PAGE)).toBe(0);
  });
});
