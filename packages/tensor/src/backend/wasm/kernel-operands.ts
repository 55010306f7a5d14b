import type { WasmRuntime } from './runtime.js';

/** An array a kernel takes. */
type KernelArray = Float32Array | Int32Array | Uint8Array;

/** `N` byte addresses, one per operand in the order they were added. */
export type Addresses<N extends number, A extends number[] = []> = number extends N
  ? number[]
  : A['length'] extends N
    ? A
    : Addresses<N, [...A, number]>;

/** One array of a kernel call. */
interface Operand {
  kind: 'read' | 'write' | 'update' | 'scratch';
  /** The array read (read), or written (write, update). */
  array: KernelArray | null;
  /** The array whose values an update starts from. */
  source: Float32Array | null;
  /** First element used (read). */
  lo: number;
  /** Elements copied through the arena. */
  count: number;
  /** Bytes the kernel touches from the operand's address (vector kernels round lengths up). */
  bytes: number;
  /** Its address once placed: in the memory where it lies, or in the arena. */
  ptr: number;
  /** Whether it went through the arena. */
  staged: boolean;
}

/**
 * The arrays of one kernel call and how each reaches the kernel memory. An array that is a view of the
 * memory (tensor storage the runtime allocated) is read where it lies, and written there when the
 * array owns a block large enough for what the kernel writes; every other array goes through the
 * call's arena, copied in before the call and out after it. In-place operands that a kernel writes
 * never overlap another in-place operand except at the same address (an elementwise `out = a`), else
 * the written one goes through the arena.
 * @example
 * const ops = new KernelOperands(rt);
 * const x = ops.read(input), y = ops.write(out, n, 4 * vectors(n));
 * const ptrs = ops.place();
 * if (!ptrs) return false;
 * rt.kernels.some_f32(ptrs[x], ptrs[y], n);
 * ops.finish();
 */
export class KernelOperands {
  private readonly operands: Operand[] = [];

  constructor(private readonly rt: WasmRuntime) {}

  /**
   * An input: elements `[lo, hi)` of `array`, of which the kernel may read up to `bytes` bytes (its
   * vector rounding; default the range itself). Returns the operand's index in {@link place}'s result,
   * whose pointer is element `lo`'s.
   */
  read(array: KernelArray, lo = 0, hi = array.length, bytes?: number): number {
    const span = bytes ?? array.BYTES_PER_ELEMENT * (hi - lo);
    return this.add({ kind: 'read', array, lo, count: hi - lo, bytes: span });
  }

  /** An output: the kernel writes the first `count` elements of `array`, touching up to `bytes` bytes. */
  write(array: Float32Array, count: number, bytes = 4 * count): number {
    return this.add({ kind: 'write', array, count, bytes });
  }

  /**
   * An operand the kernel updates in place: it reads the first `count` elements of `source` and writes
   * its results over them, which belong in `array` (which may be `source`).
   */
  update(source: Float32Array, array: Float32Array, count: number, bytes = 4 * count): number {
    return this.add({ kind: 'update', array, source, count, bytes });
  }

  /** Arena space of `bytes` bytes the kernel uses for itself. */
  scratch(bytes: number): number {
    return this.add({ kind: 'scratch', bytes });
  }

  /**
   * Lays out the arena after the scratch of `threads` threads and copies the inputs in; returns each
   * operand's address in the order the operands were added (`N` of them), or null when the arena
   * cannot hold them (nothing was copied).
   */
  place<N extends number = number>(threads = 1): Addresses<N> | null {
    const rt = this.rt;
    for (const o of this.operands) o.ptr = this.inPlace(o);
    this.separateWrites();
    const staged = this.operands.filter((o) => o.ptr < 0);
    const ptrs = rt.arena(
      staged.map((o) => o.bytes),
      threads,
    );
    if (!ptrs) return null;
    staged.forEach((o, i) => {
      o.ptr = ptrs[i]!;
      o.staged = true;
    });
    for (const o of this.operands) {
      if (o.kind === 'read' && o.staged) {
        const values = o.array!.subarray(o.lo, o.lo + o.count);
        if (values instanceof Uint8Array) rt.u8.set(values, o.ptr);
        else rt.put(o.ptr, values);
      } else if (o.kind === 'update') {
        const from = rt.addressOf(o.source!);
        if (from < 0 || o.staged) rt.put(o.ptr, o.source!.subarray(0, o.count));
        else if (from !== o.ptr) rt.kernels.copy_bytes(o.ptr, from, 4 * o.count);
      }
    }
    return this.operands.map((o) => o.ptr) as Addresses<N>;
  }

  /** Copies the outputs that went through the arena out to their arrays. */
  finish(): void {
    for (const o of this.operands)
      if (o.staged && (o.kind === 'write' || o.kind === 'update'))
        this.rt.get(o.ptr, (o.array as Float32Array).subarray(0, o.count));
  }

  private add(o: Partial<Operand> & Pick<Operand, 'kind' | 'bytes'>): number {
    this.operands.push({ array: null, source: null, lo: 0, count: 0, ptr: -1, staged: false, ...o });
    return this.operands.length - 1;
  }

  /** The operand's address where it lies in the memory, or -1 when it goes through the arena. */
  private inPlace(o: Operand): number {
    const rt = this.rt;
    if (!o.array) return -1;
    if (o.kind !== 'read') return rt.writableBytes(o.array) >= o.bytes ? rt.addressOf(o.array) : -1;
    return rt.readAddress(o.array, o.lo, o.bytes);
  }

  /** Sends written in-place operands that overlap another in-place operand (at another address) through the arena. */
  private separateWrites(): void {
    for (const w of this.operands) {
      if (w.kind === 'read' || w.ptr < 0) continue;
      const clash = this.operands.some(
        (o) => o !== w && o.ptr >= 0 && o.ptr !== w.ptr && overlaps(o.ptr, o.bytes, w.ptr, w.bytes),
      );
      if (clash) w.ptr = -1;
    }
  }
}

/** Whether the byte ranges `[a, a + aBytes)` and `[b, b + bBytes)` overlap. */
export function overlaps(a: number, aBytes: number, b: number, bBytes: number): boolean {
  return a < b + bBytes && b < a + aBytes;
}
