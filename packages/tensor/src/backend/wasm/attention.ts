import type { FloatArray } from '../../dtype.js';
import type { AttentionArgs, AttentionBackwardArgs, MatrixBatch } from '../backend.js';
import { overlaps } from './kernel-operands.js';
import type { WasmRuntime } from './runtime.js';

/**
 * Calls from this many multiply-adds (~50 µs on one thread: one query of 12 heads over 170 cached
 * positions, a decoding step) are split across the worker threads polling for work, as runs of
 * whole key/value heads; smaller ones stay on the caller's thread.
 */
const SPLIT_MACS = 1 << 18;
/** Calls from this many multiply-adds (~0.4 ms) also wake sleeping workers. */
const WAKE_MACS = 1 << 21;

const f32 = (a: FloatArray | null): a is Float32Array => a instanceof Float32Array;

/** Words of the descriptor (see `asm/attention.wat`); the operands' offset tables follow it. */
const DESC_WORDS = 29;

/** The element range `[lo, hi)` of one matrix `[rows, cols]` of `m`, relative to its offset. */
function extent(m: MatrixBatch, rows: number, cols: number): [number, number] {
  return [0, (rows - 1) * m.rowStride + (cols - 1) * m.colStride + 1];
}

/** A storage range copied into the arena as one block. */
interface Region {
  data: FloatArray;
  lo: number;
  hi: number;
}

/**
 * The blocks to copy the operands `mats` through: per storage, the range the matrices span when it
 * is at most about twice their elements (the views of a fused projection: one copy serves all), else
 * each matrix on its own (the used rows of a KV cache's buffers, whose span includes every head's
 * unused capacity). `at(data, offset)` finds the region holding the matrix at `offset` of `data`.
 */
function regionsOf(mats: readonly [MatrixBatch, number, number][]) {
  const regions: Region[] = [];
  const byMatrix = new Map<FloatArray, Map<number, number>>();
  for (const data of new Set(mats.map(([m]) => m.data))) {
    const own = mats.filter(([m]) => m.data === data);
    const pieces = new Map<number, [number, number]>(); // matrix offset → its element range
    let used = 0;
    for (const [m, rows, cols] of own) {
      const [lo, hi] = extent(m, rows, cols);
      for (const o of m.offsets) {
        const [l, h] = pieces.get(o) ?? [o + lo, o + hi];
        pieces.set(o, [Math.min(l, o + lo), Math.max(h, o + hi)]);
        used += hi - lo;
      }
    }
    const ranges = [...pieces.values()];
    const lo = Math.min(...ranges.map(([l]) => l));
    const hi = Math.max(...ranges.map(([, h]) => h));
    const index = new Map<number, number>();
    if (hi - lo <= 2 * used + 4096) {
      for (const o of pieces.keys()) index.set(o, regions.length);
      regions.push({ data, lo, hi });
    } else {
      for (const [o, [l, h]] of pieces) {
        index.set(o, regions.length);
        regions.push({ data, lo: l, hi: h });
      }
    }
    byMatrix.set(data, index);
  }
  return { regions, at: (data: FloatArray, offset: number) => byMatrix.get(data)!.get(offset)! };
}

/**
 * How many threads a call runs on: more than one when it is large enough, has more than one
 * key/value head and workers are ready; and whether to wake sleeping workers.
 */
function placement(rt: WasmRuntime, a: AttentionArgs): [number, boolean] {
  const heads = a.batch / a.groups;
  const macs = a.batch * a.L * a.S * (a.E + a.Ev);
  const threads = heads > 1 && macs >= SPLIT_MACS ? Math.min(rt.effectiveThreads(), heads) : 1;
  return [threads, threads > 1 && macs >= WAKE_MACS];
}

/**
 * Copies q, k and v into the arena (see `regionsOf`: the views of a fused projection once, the used
 * rows of a KV cache matrix by matrix), writes the descriptor and returns its address, or null when
 * too large.
 * `outputs` are the byte sizes of the blocks the call writes: out and lse, then (backward) the
 * gradients. The returned blocks are those with the work space of `threads` threads inserted third,
 * as the descriptor's word order has it.
 */
function stage(
  rt: WasmRuntime,
  a: AttentionArgs | AttentionBackwardArgs,
  outputs: readonly Output[],
  threads: number,
): { desc: number; blocks: number[] } | null {
  const { batch, groups, L, S, E, Ev, mask, maskBatch } = a;
  const mats: [MatrixBatch, number, number][] = [
    [a.q, L, E],
    [a.k, S, E],
    [a.v, S, Ev],
  ];
  const backward = 'dout' in a;
  if (backward) mats.push([a.dout, L, Ev]);
  const { regions, at } = regionsOf(mats);
  // Regions that live in the memory are read where they lie, and so are the forward's results a
  // backward reads; outputs that own a large enough block there and overlap no such region are
  // written in place.
  const inPlace = regions.map(({ data, lo, hi }) => rt.readAddress(data as Float32Array, lo, 4 * (hi - lo)));
  const readAt = outputs.map(({ array, bytes, read }) => (read ? rt.readAddress(array, 0, bytes) : -1));
  const reads = [
    ...regions.map(({ lo, hi }, i): [number, number] => [inPlace[i]!, 4 * (hi - lo)]),
    ...outputs.map(({ bytes }, i): [number, number] => [readAt[i]!, bytes]),
  ];
  const direct = outputs.map(({ array, bytes, read }, i) => {
    if (read) return readAt[i]!;
    const ptr = rt.writableBytes(array) >= bytes ? rt.addressOf(array) : -1;
    const clash = reads.some(([at, size]) => at >= 0 && overlaps(at, size, ptr, bytes));
    return clash ? -1 : ptr;
  });
  const tables = 4 * (2 * batch + 2 * (batch / groups) + DESC_WORDS); // the descriptor and offset tables
  const wsStride = Math.ceil(rt.kernels.attention_ws_bytes(L, S, E, Ev, backward ? 1 : 0) / 64) * 64;
  const outputBytes = outputs.map(({ bytes }, i) => (direct[i]! >= 0 ? 0 : bytes));
  const sizes = [
    ...regions.map(({ lo, hi }, i) => (inPlace[i]! >= 0 ? 0 : 4 * (hi - lo))),
    mask ? 4 * (maskBatch * L * S + 8) : 0,
    tables,
    ...outputBytes.slice(0, 2),
    threads * wsStride,
    ...outputBytes.slice(2),
  ];
  const ptrs = rt.arena(sizes, 1);
  if (!ptrs) return null;
  regions.forEach(({ data, lo, hi }, i) => {
    if (inPlace[i]! < 0) rt.put(ptrs[i]!, (data as Float32Array).subarray(lo, hi));
    else ptrs[i] = inPlace[i]!;
  });
  /** Byte address of the matrix at element `offset` of `data`, in its region. */
  const address = (data: FloatArray, offset: number) => {
    const r = at(data, offset);
    return ptrs[r]! + 4 * (offset - regions[r]!.lo);
  };
  const maskPtr = ptrs[regions.length]!;
  if (mask) rt.put(maskPtr, (mask as Float32Array).subarray(0, maskBatch * L * S));
  const desc = ptrs[regions.length + 1]!;
  const i32 = rt.i32;
  let table = (desc >> 2) + DESC_WORDS;
  // words 0–8 (q, k, v) and 22, 26, 27 (dout): offset table address, row and column strides
  const slots = [0, 3, 6, 22];
  mats.forEach(([m], i) => {
    const w = (desc >> 2) + slots[i]!;
    i32[w] = table << 2;
    if (i < 3) i32.set([4 * m.rowStride, 4 * m.colStride], w + 1);
    else i32.set([4 * m.rowStride, 4 * m.colStride], (desc >> 2) + 26);
    for (const o of m.offsets) i32[table++] = address(m.data, o);
  });
  const blocks = ptrs.slice(regions.length + 2);
  // blocks: out, lse, work space, then the gradients; outputs written in place take their own address
  for (const [i, ptr] of direct.entries()) if (ptr >= 0) blocks[i < 2 ? i : i + 1] = ptr;
  i32.set([mask ? maskPtr : 0, maskBatch === 1 ? 0 : 4 * L * S], (desc >> 2) + 9);
  i32[(desc >> 2) + 28] = wsStride;
  return { desc, blocks };
}

/** Writes descriptor words 11–21 and 23–25 (outputs, sizes, scale, thread 0's work space, gradients). */
function describe(rt: WasmRuntime, desc: number, a: AttentionArgs, ptrs: readonly number[]): void {
  const w = desc >> 2;
  const [out, lse, ws, dq = 0, dk = 0, dv = 0] = ptrs;
  rt.i32.set([out!, lse!, a.batch, a.groups, a.L, a.S, a.E, a.Ev], w + 11);
  rt.f32[w + 19] = a.scale;
  rt.i32.set([a.causal ? 1 : 0, ws!], w + 20);
  rt.i32.set([dq, dk, dv], w + 23);
}

/**
 * An array a call writes, or (backward) one of the forward's results it reads (`read`): in place
 * when it lives in the memory, else through a block of the arena; and its bytes.
 */
interface Output {
  array: Float32Array;
  bytes: number;
  read?: boolean;
}

/** `array`'s first `count` floats, written by the call. */
function written(array: FloatArray, count: number): Output {
  return { array: array as Float32Array, bytes: 4 * count };
}

/** Copies the outputs that went through the arena (`blocks`: out, lse, work space, gradients) to their arrays. */
function copyOut(rt: WasmRuntime, outputs: readonly Output[], blocks: readonly number[]): void {
  outputs.forEach(({ array, bytes, read }, i) => {
    const ptr = blocks[i < 2 ? i : i + 1]!;
    if (!read && rt.addressOf(array) !== ptr) rt.get(ptr, array.subarray(0, bytes / 4));
  });
}

/** Whether the WASM kernels take this call: float32 throughout, no empty dimension, no negative stride. */
function fits(a: AttentionArgs, arrays: readonly (FloatArray | null)[]): boolean {
  const mats = [a.q, a.k, a.v, ...('dout' in a ? [(a as AttentionBackwardArgs).dout] : [])];
  return (
    [...mats.map((m) => m.data), a.mask, ...arrays].every((x) => x === null || f32(x)) &&
    mats.every((m) => m.rowStride >= 0 && m.colStride >= 0) &&
    a.batch * a.L * a.S * a.E * a.Ev > 0
  );
}

/**
 * float32 fused attention forward on the WASM kernels (split across worker threads when large);
 * false for other dtypes or empty shapes.
 */
export function wasmAttention(rt: WasmRuntime, a: AttentionArgs): boolean {
  if (!fits(a, [a.out, a.lse])) return false;
  const { batch, L, Ev } = a;
  const [threads, wake] = placement(rt, a);
  const outputs = [written(a.out, batch * L * Ev), written(a.lse, batch * L)];
  const staged = stage(rt, a, outputs, threads);
  if (!staged) return false;
  const { desc, blocks } = staged;
  describe(rt, desc, a, blocks);
  rt.lastThreads = rt.parallel('attention_f32', desc, threads, wake);
  copyOut(rt, outputs, blocks);
  return true;
}

/**
 * float32 fused attention backward on the WASM kernels (split across worker threads when large);
 * false for other dtypes or empty shapes.
 */
export function wasmAttentionBackward(rt: WasmRuntime, a: AttentionBackwardArgs): boolean {
  if (!fits(a, [a.out, a.lse, a.dq, a.dk, a.dv])) return false;
  const { batch, groups, L, S, E, Ev } = a;
  const kv = batch / groups;
  const [threads, wake] = placement(rt, a);
  // The forward's out and lse, which the kernel only reads (a row dot product and a load).
  const outputs = [
    { ...written(a.out, batch * L * Ev), read: true },
    { ...written(a.lse, batch * L), read: true },
    written(a.dq, batch * L * E),
    written(a.dk, kv * S * E),
    written(a.dv, kv * S * Ev),
  ];
  const staged = stage(rt, a, outputs, threads);
  if (!staged) return false;
  const { desc, blocks } = staged;
  outputs.slice(0, 2).forEach(({ array, bytes }, i) => {
    if (rt.addressOf(array) !== blocks[i]) rt.put(blocks[i]!, array.subarray(0, bytes / 4));
  });
  describe(rt, desc, a, blocks);
  rt.lastThreads = rt.parallel('attention_backward_f32', desc, threads, wake);
  copyOut(rt, outputs, blocks);
  return true;
}
