/**
 * Float32 matmul GFLOP/s of @proj/tensor (one column per registered backend) next to TensorFlow.js
 * (tfjs-core with the cpu and wasm backends), on square sizes and on the products a small GPT makes,
 * with the ratio of our default backend to each peer. `pnpm bench matmul` runs only this suite.
 *
 * The two-thread column is measured interleaved with one thread on the same (shared) kernel memory:
 * rounds alternate 1 and 2 threads, and the ratio is the median of the per-round ratios, so load
 * from other processes that comes and goes hits both sides alike. The load average is printed too.
 *
 * PyTorch (Debian's python3-torch, when installed) runs the same shapes in its own process,
 * measured the same way (torch_matmul.py): its one-thread GFLOP/s and its own two-thread ratio sit
 * beside ours, so the scaling a native BLAS reaches on this machine is in the same table.
 *
 * To add a column, append a {@link Contestant}: a name and a `prepare` that returns, for the given
 * operands, a function computing one product to completion and returning its values.
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import {
  backendName,
  Generator,
  listBackends,
  matmul,
  setBackend,
  setNumThreads,
  type Tensor,
  tensor,
} from '@proj/tensor';
import { enableThreads } from '@proj/tensor/node';
import { median, printTable, ratio, timeMs } from './report.js';
import { runTorch } from './torch.js';

/** One product `[m, k] · [k, n]`, optionally batched and with either operand stored transposed. */
interface Shape {
  label: string;
  m: number;
  k: number;
  n: number;
  /** Independent products along a leading axis (default 1: plain 2-D operands). */
  batch?: number;
  /** A is stored `[k, m]` and multiplied transposed (a view; no copy on our side). */
  ta?: boolean;
  /** B is stored `[n, k]`, like an `nn.Linear` weight, and multiplied transposed. */
  tb?: boolean;
}

/** Stored shapes of the two operands. */
function storedShapes({ m, k, n, batch = 1, ta, tb }: Shape): [number[], number[]] {
  const lead = batch === 1 ? [] : [batch];
  return [
    [...lead, ...(ta ? [k, m] : [m, k])],
    [...lead, ...(tb ? [n, k] : [k, n])],
  ];
}

/** Floating-point operations of one product. */
function flopsOf(shape: Shape): number {
  return 2 * (shape.batch ?? 1) * shape.m * shape.k * shape.n;
}

/** A library under test: `prepare` builds operands once and returns the timed call. */
interface Contestant {
  name: string;
  /** Set to the contestant ours are compared against (ratio columns). */
  peer?: boolean;
  setup?: () => Promise<void>;
  prepare: (a: Float32Array, b: Float32Array, shape: Shape) => () => ArrayLike<number>;
  teardown?: () => void;
}

const SHAPES: Shape[] = [
  ...[64, 128, 256, 512, 1024].map((n) => ({ label: `${n}x${n}x${n}`, m: n, k: n, n })),
  { label: 'GPT [768x128]·[128x384]', m: 768, k: 128, n: 384 },
  { label: 'GPT [768x128]·[128x512]', m: 768, k: 128, n: 512 },
  { label: 'GPT [768x512]·[512x128]', m: 768, k: 512, n: 128 },
  { label: '512³ Aᵀ·B', m: 512, k: 512, n: 512, ta: true },
  { label: '512³ A·Bᵀ', m: 512, k: 512, n: 512, tb: true },
  { label: '512³ Aᵀ·Bᵀ', m: 512, k: 512, n: 512, ta: true, tb: true },
  { label: '16 × 128³ batched', m: 128, k: 128, n: 128, batch: 16 },
  { label: 'GPT x·Wᵀ [768x128]·[384x128]ᵀ', m: 768, k: 128, n: 384, tb: true },
  { label: 'GPT dW [768x512]ᵀ·[768x128]', m: 512, k: 768, n: 128, ta: true },
  { label: 'GPT q·kᵀ 48 × [64x32]·[64x32]ᵀ', m: 64, k: 32, n: 64, batch: 48, tb: true },
  { label: 'GPT att·v 48 × [64x64]·[64x32]', m: 64, k: 64, n: 32, batch: 48 },
];

/** @proj/tensor with backend `name` active while it runs. */
function ours(name: string): Contestant {
  let previous = backendName();
  return {
    name: `@proj/tensor ${name}${name === 'wasm' ? ' (1 thread)' : ''}`,
    setup: async () => {
      previous = backendName();
      setBackend(name);
      // WebAssembly starts on a baseline compiler and tiers up while it runs: warm the kernels first.
      if (name === 'wasm') {
        const x = tensor(new Float32Array(256 * 256).fill(0.5), { shape: [256, 256] });
        for (let i = 0; i < 20; i++) matmul(x, x.transpose(-2, -1));
      }
    },
    prepare: (a, b, shape) => {
      const [sa, sb] = storedShapes(shape);
      let x: Tensor = tensor(a, { shape: sa });
      let y: Tensor = tensor(b, { shape: sb });
      if (shape.ta) x = x.transpose(-2, -1);
      if (shape.tb) y = y.transpose(-2, -1);
      return () => matmul(x, y).data();
    },
    teardown: () => setBackend(previous),
  };
}

/**
 * @proj/tensor wasm on `threads` threads (workers from `@proj/tensor/node`, started in `setup`, after
 * the single-thread columns ran on an unshared memory). `measure` times it against one thread.
 */
function oursThreaded(threads: number): Contestant & { measure: (call: () => unknown) => ThreadTiming } {
  const base = ours('wasm');
  const contestant = {
    ...base,
    name: `wasm (${threads} threads)`,
    setup: async () => {
      await base.setup?.();
      const got = await enableThreads(threads);
      if (got < threads) contestant.name = `wasm (${got} thread: workers unavailable)`;
      setNumThreads(threads);
    },
    teardown: () => {
      setNumThreads(1);
      base.teardown?.();
    },
    measure: (call: () => unknown) => interleaved(call, threads),
  };
  return contestant;
}

/** Milliseconds per call on one thread and on more, and the median of the per-round ratios. */
interface ThreadTiming {
  oneMs: number;
  manyMs: number;
  ratio: number;
}

/** Rounds of ~60 ms alternate one thread and `threads` threads (medians within each round). */
function interleaved(call: () => unknown, threads: number, rounds = 7): ThreadTiming {
  const one: number[] = [];
  const many: number[] = [];
  for (let r = 0; r < rounds; r++) {
    setNumThreads(1);
    one.push(timeMs(call, 60));
    setNumThreads(threads);
    many.push(timeMs(call, 60));
  }
  return { oneMs: median(one), manyMs: median(many), ratio: median(one.map((t, r) => t / many[r]!)) };
}

/** TensorFlow.js with its `backend` ('cpu' or 'wasm'); `dataSync` forces each product to finish. */
function tfjs(backend: 'cpu' | 'wasm'): Contestant {
  let tf: typeof import('@tensorflow/tfjs-core');
  return {
    name: `tfjs-${backend}`,
    peer: true,
    setup: async () => {
      tf = await import('@tensorflow/tfjs-core');
      if (backend === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
      else {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        // The .wasm binaries sit in the package's dist folder, next to its entry point.
        const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths(`${join(dirname(entry), '/')}`);
      }
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend '${backend}' failed to start`);
      await tf.ready();
    },
    prepare: (a, b, shape) => {
      const [sa, sb] = storedShapes(shape);
      const x = tf.tensor(a, sa);
      const y = tf.tensor(b, sb);
      return () => {
        const c = tf.matMul(x, y, shape.ta, shape.tb);
        const values = c.dataSync();
        c.dispose();
        return values;
      };
    },
    teardown: () => tf.disposeVariables(),
  };
}

/** Largest difference from the reference, relative to the reference's largest magnitude. */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]!));
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  }
  return worst / Math.max(scale, 1e-30);
}

/**
 * Milliseconds per call: the median of ~0.3 s of repetitions, or — when one call already took longer
 * than that (the 1024 products on slow contestants) — a single timed call after the warm-up.
 */
function measureMs(call: () => unknown, warmMs: number): number {
  if (warmMs < 300) return timeMs(call, 300);
  const t0 = performance.now();
  call();
  return performance.now() - t0;
}

/** PyTorch's GFLOP/s on one thread and its two-thread ÷ one-thread ratio per shape. */
interface TorchTiming {
  one: number[];
  ratio: number[];
}

/** PyTorch on `shapes` (tooling/bench/torch_matmul.py), or null without torch. */
function torchTiming(shapes: Shape[]): TorchTiming | null {
  const input = shapes.map(({ m, k, n, batch = 1, ta = false, tb = false }) => ({ m, k, n, batch, ta, tb }));
  return runTorch<TorchTiming>('torch_matmul.py', [], JSON.stringify(input));
}

/** Prints the table. */
export async function run(): Promise<void> {
  const defaultBackend = backendName();
  const contestants: Contestant[] = [
    ours(defaultBackend),
    ...listBackends()
      .filter((name) => name !== defaultBackend)
      .map(ours),
    tfjs('cpu'),
    tfjs('wasm'),
  ];
  const threaded = listBackends().includes('wasm') ? oursThreaded(2) : null;
  if (threaded) contestants.push(threaded);
  const g = new Generator(0);
  const random = (size: number) => Float32Array.from({ length: size }, () => 2 * g.uniform24() - 1);
  const size = (s: Shape) => (s.batch ?? 1) * s.m * s.k;
  const inputs = SHAPES.map((s) => ({ shape: s, a: random(size(s)), b: random((s.batch ?? 1) * s.k * s.n) }));

  // gflops[c][s]: contestants are measured one at a time (tfjs keeps one global backend).
  const gflops: number[][] = [];
  const threadRatios: number[] = [];
  const reference: ArrayLike<number>[] = [];
  const loadBefore = loadavg()[0]!;
  for (const [c, contestant] of contestants.entries()) {
    await contestant.setup?.();
    gflops.push(
      inputs.map(({ shape, a, b }, s) => {
        const call = contestant.prepare(a, b, shape);
        const t0 = performance.now();
        const out = call(); // warm-up, and a check that every contestant computes the same product
        const warmMs = performance.now() - t0;
        if (c === 0) reference[s] = Float32Array.from(out);
        else if (relativeError(out, reference[s]!) > 1e-4) {
          throw new Error(`${contestant.name} disagrees with ${contestants[0]!.name} on ${shape.label}`);
        }
        if (contestant !== threaded) return flopsOf(shape) / measureMs(call, warmMs) / 1e6;
        const timing = threaded.measure(call);
        threadRatios[s] = timing.ratio;
        return flopsOf(shape) / timing.manyMs / 1e6;
      }),
    );
    contestant.teardown?.();
  }

  const torch = torchTiming(SHAPES);
  const peers = contestants.map((c, i) => [c, i] as const).filter(([c]) => c.peer);
  const header = [
    'float32 [m x k]·[k x n]',
    ...contestants.map((c) => c.name),
    ...(torch ? ['PyTorch (1 thread)'] : []),
    ...peers.map(([c]) => `ours/${c.name}`),
    ...(torch ? ['ours/PyTorch'] : []),
    ...(threaded ? ['2 threads/1 (interleaved)'] : []),
    ...(torch ? ['PyTorch 2 threads/1'] : []),
  ];
  const rows = inputs.map(({ shape }, s) => [
    shape.label,
    ...gflops.map((col) => col[s]!.toFixed(2)),
    ...(torch ? [torch.one[s]!.toFixed(2)] : []),
    ...peers.map(([, i]) => ratio(gflops[0]![s]!, gflops[i]![s]!)),
    ...(torch ? [ratio(gflops[0]![s]!, torch.one[s]!)] : []),
    ...(threaded ? [`${threadRatios[s]!.toFixed(2)}x`] : []),
    ...(torch ? [`${torch.ratio[s]!.toFixed(2)}x`] : []),
  ]);
  printTable(
    `matmul GFLOP/s (median; "ours" = @proj/tensor ${defaultBackend}, the default backend; ` +
      `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after)`,
    header,
    rows,
  );
}
