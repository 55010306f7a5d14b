/**
 * Reuse of float storage between tensor ops. JavaScript frees a typed array only when the garbage
 * collector finds it unreachable, so a training step that allocates tens of megabytes of
 * short-lived gradients pays for fresh memory every time: zero-filling, page faults on first touch
 * (the allocator hands freed pages back to the OS between collections), and collections triggered
 * by the external-memory pressure. Where a caller can prove that nothing references an array any
 * more, it hands the array back and the next allocation of the same dtype and length reuses it.
 *
 * Proving it is the caller's job, which is why this is an ownership API and not a convenience:
 * autograd's backward walk releases the gradients it alone holds (see `runBackward` in
 * @proj/autograd), and only arrays allocated inside its {@link AllocationScope}, so a tensor that
 * existed before (a saved activation, a caller's seed gradient) is never touched.
 */

/** Float storage arrays that can be reused. */
type FloatStorage = Float32Array | Float64Array;
/** Any storage array (recycling scopes take every dtype). */
type AnyStorage = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Most bytes the free lists hold in all: enough for a small model's gradients, bounded for big ones. */
const MAX_POOLED_BYTES = 32 * 2 ** 20;
/** Most arrays of one dtype and length kept for reuse. */
const MAX_PER_LENGTH = 8;

/** Released arrays by length, most recently released last; one map per dtype. */
const free = { float32: new Map<number, Float32Array[]>(), float64: new Map<number, Float64Array[]>() };
let pooledBytes = 0;
let reused = 0;
let recycled = 0;
let allocated = 0;
let allocatedBytes = 0;
/** Scopes that are tracking allocations now (usually none or one). */
const scopes = new Set<WeakSet<FloatStorage>>();

/** What a recycling scope keeps: the arrays allocated since its last recycle, and those it may hand out. */
interface Recycler {
  recorded: AnyStorage[];
  /** Recycled arrays by `dtype:length`. */
  spare: Map<string, AnyStorage[]>;
}
/** Open recycling scopes, innermost last. */
const recyclers: Recycler[] = [];

const spareKey = (array: AnyStorage) => `${array.constructor.name}:${array.length}`;

/**
 * An array that an open recycling scope handed back (innermost first), of the typed-array class
 * named `kind` and `length` elements, or null; the caller zeroes it. @internal Used by `allocStorage`.
 */
export function takeRecycled(kind: string, length: number): AnyStorage | null {
  for (let i = recyclers.length - 1; i >= 0; i--) {
    const array = recyclers[i]!.spare.get(`${kind}:${length}`)?.pop();
    if (array) {
      recycled++;
      return array;
    }
  }
  return null;
}

/** Counts a freshly allocated array. @internal Used by `allocStorage`. */
export function noteFresh(array: AnyStorage): void {
  allocated++;
  allocatedBytes += array.byteLength;
}

/**
 * An array of `length` elements from the free lists, or null when none was released (the caller
 * then allocates a fresh one); the caller zeroes it. @internal Used by `allocStorage`.
 */
export function takeReleased(dtype: 'float32' | 'float64', length: number): FloatStorage | null {
  const list = free[dtype].get(length);
  const array = list?.pop();
  if (!array) return null;
  pooledBytes -= array.byteLength;
  reused++;
  return array;
}

/**
 * Records a newly allocated float array in every open scope (none, outside a backward walk).
 * @internal Used by `allocStorage`.
 */
export function noteAllocated(array: AnyStorage): void {
  if (array instanceof Float32Array || array instanceof Float64Array)
    for (const owned of scopes) owned.add(array);
  for (const recycler of recyclers) recycler.recorded.push(array);
}

/** Options of {@link beginAllocationScope}. */
export interface AllocationScopeOptions {
  /**
   * Also keep every array (of any dtype) tensor ops allocate until {@link AllocationScope.recycle}:
   * for loops whose iterations allocate the same arrays and keep none of them (decoding steps).
   */
  recycle?: boolean;
}

/** The float arrays tensor ops allocate between {@link beginAllocationScope} and `end`. */
export interface AllocationScope {
  /** Whether `array` was allocated by a tensor op while this scope was open. */
  allocatedHere(array: ArrayBufferView): boolean;
  /**
   * Hands `array` back for the next allocation of its dtype and length to reuse. The caller
   * guarantees that nothing references it any more (no tensor, view or typed array over it):
   * whoever still held it would see its values change. Arrays this scope did not allocate, and
   * arrays beyond the pool's bounds, are left to the garbage collector.
   */
  release(array: ArrayBufferView): void;
  /**
   * Hands back every array allocated in this scope since it began or since the last `recycle` (of
   * any dtype): allocations of the same dtype and length made while the scope is open take them,
   * zero-filled, before fresh memory. The caller guarantees that nothing references any of them any
   * more. Only for scopes begun with `{ recycle: true }` (a no-op otherwise).
   */
  recycle(): void;
  /** Stops recording allocations; `release` does nothing afterwards, nor do recycled arrays wait. */
  end(): void;
}

/**
 * Starts recording the float32/float64 arrays that tensor ops allocate, so the caller can release
 * those it can prove unreferenced (see {@link AllocationScope}).
 * @example
 * const scope = beginAllocationScope();
 * try {
 *   const t = someOp(x);   // t.storage is recorded
 *   use(t);
 *   scope.release(t.storage); // only if no reference to t or its storage survives
 * } finally {
 *   scope.end();
 * }
 */
export function beginAllocationScope(options: AllocationScopeOptions = {}): AllocationScope {
  let owned: WeakSet<FloatStorage> | null = new WeakSet();
  scopes.add(owned);
  const recycler: Recycler | null = options.recycle ? { recorded: [], spare: new Map() } : null;
  if (recycler) recyclers.push(recycler);
  return {
    allocatedHere: (array) => owned?.has(array as FloatStorage) ?? false,
    release(array) {
      const storage = array as FloatStorage;
      if (!owned?.has(storage)) return;
      // Forgotten by every scope, so no scope can release it twice (two owners of one array).
      for (const other of scopes) other.delete(storage);
      const lists: Map<number, FloatStorage[]> =
        storage instanceof Float32Array ? free.float32 : (free.float64 as Map<number, FloatStorage[]>);
      const list = lists.get(storage.length) ?? [];
      if (list.length >= MAX_PER_LENGTH || pooledBytes + storage.byteLength > MAX_POOLED_BYTES) return;
      list.push(storage);
      lists.set(storage.length, list);
      pooledBytes += storage.byteLength;
    },
    recycle() {
      if (!recycler || !owned) return;
      for (const array of recycler.recorded) {
        const key = spareKey(array);
        const list = recycler.spare.get(key);
        if (list) list.push(array);
        else recycler.spare.set(key, [array]);
      }
      recycler.recorded = [];
    },
    end() {
      if (owned) scopes.delete(owned);
      owned = null;
      if (recycler) recyclers.splice(recyclers.indexOf(recycler), 1);
    },
  };
}

/** What the storage reuse has done since the process started, for diagnostics and tests. */
export interface StorageReuseStats {
  /** Allocations served by a released array instead of fresh memory. */
  reused: number;
  /** Allocations served by an array a recycling scope handed back. */
  recycled: number;
  /** Bytes of released arrays waiting to be reused. */
  pooledBytes: number;
  /** Arrays tensor ops allocated from fresh memory (every dtype). */
  allocated: number;
  /** Bytes of those arrays. */
  allocatedBytes: number;
}

/** Counters of the storage reuse (see {@link beginAllocationScope}). */
export function storageReuseStats(): StorageReuseStats {
  return { reused, recycled, pooledBytes, allocated, allocatedBytes };
}
