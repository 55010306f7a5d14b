import { afterEach, describe, expect, it } from 'vitest';
import { matmul } from '../../ops/matmul.js';
import { randn } from '../../ops/random.js';
import { Generator } from '../../random/generator.js';
import { getBackend, setBackend } from '../registry.js';
import { relaxedKernels } from './module.js';
import { getRuntime } from './runtime.js';
import { wasmStats } from './stats.js';

describe('wasmStats', () => {
  const initial = getBackend().name;
  afterEach(() => setBackend(initial));

  it('reports the reserved memory and the float32 tensors it holds', () => {
    setBackend('wasm');
    const g = new Generator(3);
    const before = wasmStats();
    expect(before).not.toBeNull();
    // 3 tensors of 512 × 512 float32 (1 MiB each) live in the memory after the product.
    const a = randn([512, 512], { generator: g });
    const b = randn([512, 512], { generator: g });
    const c = matmul(a, b);
    const after = wasmStats()!;
    expect(after.residentBytes).toBeGreaterThanOrEqual(before!.residentBytes + 3 * 2 ** 20);
    expect(after.memoryBytes).toBeGreaterThanOrEqual(after.residentBytes);
    expect(getRuntime()!.addressOf(c.storage)).toBeGreaterThan(0);
    expect(after.shared).toBe(true);
    expect(after.lastThreads).toBe(1); // no workers started in this file
    expect(after.threads).toBe(1);
  });

  it('keeps results in the memory valid when it grows (a shared memory grows in place)', () => {
    setBackend('wasm');
    const g = new Generator(4);
    const a = randn([64, 64], { generator: g });
    const c = matmul(a, a);
    const values = Float32Array.from(c.data());
    const before = wasmStats()!.memoryBytes;
    const big = randn([2048, 2048], { generator: g });
    matmul(big, big.transpose(0, 1)); // 48 MiB of tensors and arena: the memory grows
    expect(wasmStats()!.memoryBytes).toBeGreaterThan(before);
    expect(getRuntime()!.addressOf(c.storage)).toBeGreaterThan(0);
    expect(c.data()).toEqual(values);
  });

  it('reports whether the relaxed-SIMD build runs: exactly where the engine validates it', () => {
    expect(wasmStats()!.relaxedSimd).toBe(WebAssembly.validate(relaxedKernels()));
  });

  it('says nothing prevents threads in Node (SharedArrayBuffer exists; workers come from @proj/tensor/node)', () => {
    expect(wasmStats()!.threadsUnavailable).toBeNull();
  });
});
