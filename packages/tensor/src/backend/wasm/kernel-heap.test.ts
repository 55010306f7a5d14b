import { describe, expect, it } from 'vitest';
import { KernelHeap } from './kernel-heap.js';

const PAGE = 65536;

describe('KernelHeap', () => {
  it('reuses the space of freed blocks: packing and releasing again does not grow the memory', () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 1000 });
    const heap = new KernelHeap(memory);
    expect(heap.reserveBelow(2 * PAGE)).toBe(true); // an arena of 2 pages: no growth
    expect(memory.buffer.byteLength).toBe(4 * PAGE);
    for (let round = 0; round < 5; round++) {
      const blocks = [heap.alloc(3 * PAGE), heap.alloc(100), heap.alloc(PAGE)];
      expect(blocks.every((b) => b !== null && b.ptr >= 2 * PAGE)).toBe(true);
      expect(heap.bytes).toBe(3 * PAGE + 128 + PAGE);
      for (const b of blocks) heap.free(b!);
      expect(heap.bytes).toBe(0);
    }
    expect(memory.buffer.byteLength).toBeLessThanOrEqual(7 * PAGE);
  });

  it('moves the blocks up, contents and all, when an arena needs the space below them', () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 1000 });
    const heap = new KernelHeap(memory);
    const a = heap.alloc(1000)!;
    const b = heap.alloc(5000)!;
    new Uint8Array(memory.buffer, a.ptr, 1000).fill(7);
    new Uint8Array(memory.buffer, b.ptr, 5000).fill(9);
    expect(heap.reserveBelow(10 * PAGE)).toBe(true);
    expect(Math.min(a.ptr, b.ptr)).toBeGreaterThanOrEqual(10 * PAGE);
    expect(new Uint8Array(memory.buffer, a.ptr, 1000).every((v) => v === 7)).toBe(true);
    expect(new Uint8Array(memory.buffer, b.ptr, 5000).every((v) => v === 9)).toBe(true);
    heap.free(a);
    const size = memory.buffer.byteLength;
    const c = heap.alloc(900)!; // in space the heap holds already: no growth, no overlap with b
    expect(c.ptr + c.bytes <= b.ptr || c.ptr >= b.ptr + b.bytes).toBe(true);
    expect(c.ptr).toBeGreaterThanOrEqual(10 * PAGE);
    expect(memory.buffer.byteLength).toBe(size);
    expect(heap.alloc(2000 * PAGE)).toBeNull(); // past the maximum
  });
});
