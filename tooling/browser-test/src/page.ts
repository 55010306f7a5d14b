/**
 * The checks that run inside Chromium, bundled with the built `@proj/tensor` by `main.ts`. The page
 * runs them on its main thread and again in a dedicated Web Worker (where `Atomics.wait` is allowed,
 * as in a training worker), and exposes the results as `window.browserChecks()`.
 */
import {
  type AttentionArgs,
  backendName,
  createWebGPUBackend,
  enableThreads,
  Generator,
  matmul,
  randn,
  registerBackend,
  setBackend,
  setNumThreads,
  softmax,
  wasmStats,
} from '@proj/tensor';
import { getBackend } from '@proj/tensor/internal';

/** What one run of the checks saw. */
export interface CheckResult {
  where: 'main thread' | 'worker';
  crossOriginIsolated: boolean;
  /** The backend active before anything was set. */
  defaultBackend: string;
  /** `wasmStats().relaxedSimd`: whether the fused multiply-add build (rebuilt from the shipped edits) runs. */
  relaxedSimd: boolean;
  /** Largest |ours − float64 reference| of a 512×512 product on one thread. */
  err1: number;
  /** What `enableThreads(2)` resolved with. */
  threads: number;
  /** Threads the 512×512 product ran on after `enableThreads(2)` (from `wasmStats().lastThreads`). */
  lastThreads: number;
  /** Largest |ours − reference| of that product. */
  err2: number;
  /** `wasmStats().threadsUnavailable`: the reason threads cannot start, or null. */
  threadsUnavailable: string | null;
  /**
   * Milliseconds of the product on one thread and on two after `enableThreads(2)`: the median over
   * five rounds that alternate the thread count, each the median of nine calls (printed, not checked).
   */
  ms1: number;
  ms2: number;
  /** Threads the fused attention (forward and backward of 48 causal heads) ran on after `enableThreads(2)`. */
  attentionThreads: number;
  /** Whether that attention gave the one-thread result bit for bit. */
  attentionSame: boolean;
  /** The WebGPU adapter `createWebGPUBackend()` found through `navigator.gpu` (main thread), or null. */
  webgpuAdapter: string | null;
  /** Largest |GPU − CPU| of a 64×96 · 96×80 product and a softmax on that backend (main thread). */
  webgpuErr: number;
  /** A thrown error's message, when the checks failed before finishing. */
  error?: string;
}

const N = 512;

/** C = A·B for row-major N×N matrices in float64: the independent reference. */
function reference(a: Float32Array, b: Float32Array): Float64Array {
  const c = new Float64Array(N * N);
  for (let i = 0; i < N; i++)
    for (let k = 0; k < N; k++) {
      const aik = a[i * N + k]!;
      for (let j = 0; j < N; j++) c[i * N + j]! += aik * b[k * N + j]!;
    }
  return c;
}

function maxError(ours: ArrayLike<number>, ref: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(ours[i]! - ref[i]!);
    if (!(e <= worst)) worst = e; // NaN wins
  }
  return worst;
}

function median(values: number[]): number {
  return [...values].sort((x, y) => x - y)[values.length >> 1]!;
}

function medianMs(fn: () => unknown, reps: number): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * Milliseconds of `fn` on one thread and on `threads`, after a warm-up: rounds alternate the two so
 * that load which comes and goes hits both alike.
 */
function interleavedMs(fn: () => unknown, threads: number): [number, number] {
  for (let i = 0; i < 10; i++) fn();
  const one: number[] = [];
  const many: number[] = [];
  for (let round = 0; round < 5; round++) {
    setNumThreads(1);
    one.push(medianMs(fn, 9));
    setNumThreads(threads);
    many.push(medianMs(fn, 9));
  }
  return [median(one), median(many)];
}

/**
 * Forward and backward of the fused attention over 48 causal heads of 64 × 32 (the default GPT's)
 * on the active thread count: the output, the query gradient and the threads used.
 */
function attentionOnce(): { values: Float32Array; threads: number } {
  const [batch, L, E] = [48, 64, 32];
  const heads = (seed: number) => ({
    data: randn([batch * L * E], { generator: new Generator(seed) }).data() as Float32Array,
    offsets: Int32Array.from({ length: batch }, (_, b) => b * L * E),
    rowStride: E,
    colStride: 1,
  });
  const args: AttentionArgs = {
    q: heads(1),
    k: heads(2),
    v: heads(3),
    mask: null,
    maskBatch: 1,
    out: new Float32Array(batch * L * E),
    lse: new Float32Array(batch * L),
    batch,
    groups: 1,
    L,
    S: L,
    E,
    Ev: E,
    scale: 1 / Math.sqrt(E),
    causal: true,
  };
  const backend = getBackend();
  backend.attention!(args);
  const dq = new Float32Array(batch * L * E);
  backend.attentionBackward!({
    ...args,
    dout: heads(4),
    dq,
    dk: new Float32Array(batch * L * E),
    dv: new Float32Array(batch * L * E),
  });
  const values = new Float32Array(2 * batch * L * E);
  values.set(args.out as Float32Array);
  values.set(dq, batch * L * E);
  return { values, threads: wasmStats()?.lastThreads ?? 0 };
}

/**
 * A product and a softmax on the WebGPU backend over `navigator.gpu`, against the CPU backend's: the
 * adapter's name and the largest difference (the tensors are made on the CPU, copied in by the op).
 */
async function webgpuCheck(): Promise<[string, number]> {
  const gpu = await createWebGPUBackend();
  registerBackend(gpu);
  const g = new Generator(7);
  const [a, b] = [randn([64, 96], { generator: g }), randn([96, 80], { generator: g })];
  const cpu = [matmul(a, b), softmax(matmul(a, b))];
  setBackend('webgpu');
  try {
    const onGpu = [matmul(a, b), softmax(matmul(a, b))].map((t) => t.dataAsync());
    let err = 0;
    for (const [i, values] of (await Promise.all(onGpu)).entries()) {
      const expected = cpu[i]!.data();
      for (let j = 0; j < expected.length; j++) err = Math.max(err, Math.abs(values[j]! - expected[j]!));
    }
    return [gpu.adapterName, err];
  } finally {
    setBackend('wasm');
  }
}

async function runChecks(where: CheckResult['where']): Promise<CheckResult> {
  const result: CheckResult = {
    where,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    defaultBackend: backendName(),
    relaxedSimd: false,
    err1: Number.NaN,
    threads: 0,
    lastThreads: 0,
    err2: Number.NaN,
    threadsUnavailable: null,
    ms1: Number.NaN,
    ms2: Number.NaN,
    attentionThreads: 0,
    attentionSame: false,
    webgpuAdapter: null,
    webgpuErr: Number.NaN,
  };
  try {
    const g = new Generator(2024);
    const a = randn([N, N], { generator: g });
    const b = randn([N, N], { generator: g });
    const ref = reference(a.data() as Float32Array, b.data() as Float32Array);
    result.err1 = maxError(matmul(a, b).data(), ref);
    result.threads = await enableThreads(2);
    const product = matmul(a, b);
    const stats = wasmStats();
    result.relaxedSimd = stats?.relaxedSimd ?? false;
    result.lastThreads = stats?.lastThreads ?? 0;
    result.threadsUnavailable = stats ? stats.threadsUnavailable : 'wasmStats() returned null';
    [result.ms1, result.ms2] = interleavedMs(() => matmul(a, b), 2);
    result.err2 = maxError(product.data(), ref);
    setNumThreads(1);
    const alone = attentionOnce();
    setNumThreads(2);
    const split = attentionOnce();
    result.attentionThreads = split.threads;
    result.attentionSame = alone.values.every((v, i) => Object.is(v, split.values[i]));
    if (where === 'main thread') [result.webgpuAdapter, result.webgpuErr] = await webgpuCheck();
  } catch (error) {
    result.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  return result;
}

/** Runs the checks in a dedicated worker started from this same bundle. */
function inWorker(): Promise<CheckResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<CheckResult>) => {
      resolve(event.data);
      worker.terminate();
    };
    worker.onerror = (event) => reject(new Error(`worker failed: ${event.message}`));
  });
}

declare global {
  interface Window {
    browserChecks?: () => Promise<CheckResult[]>;
  }
}

if (typeof document === 'undefined') {
  const scope = globalThis as unknown as { postMessage(message: CheckResult): void };
  void runChecks('worker').then((result) => scope.postMessage(result));
} else {
  window.browserChecks = async () => [await runChecks('main thread'), await inWorker()];
}
