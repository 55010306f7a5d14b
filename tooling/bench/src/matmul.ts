/**
 * Float32 matmul GFLOP/s of @proj/tensor (one column per registered backend) next to TensorFlow.js
 * (tfjs-core with the cpu and wasm backends), on square sizes and on the products a small GPT makes,
 * with the ratio of our default backend to each peer. `pnpm bench matmul` runs only this suite.
 *
 * To add a column, append a {@link Contestant}: a name and a `prepare` that returns, for the given
 * operands, a function computing one product to completion and returning its values.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Generator, getBackend, listBackends, matmul, setBackend, type Tensor, tensor } from '@proj/tensor';
import { printTable, ratio, timeMs } from './report.js';

/** One product `[m, k] · [k, n]`. */
interface Shape {
  label: string;
  m: number;
  k: number;
  n: number;
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
];

/** @proj/tensor with backend `name` active while it runs. */
function ours(name: string): Contestant {
  let previous = getBackend().name;
  return {
    name: `@proj/tensor ${name}`,
    setup: async () => {
      previous = getBackend().name;
      setBackend(name);
    },
    prepare: (a, b, { m, k, n }) => {
      const x: Tensor = tensor(a, { shape: [m, k] });
      const y: Tensor = tensor(b, { shape: [k, n] });
      return () => matmul(x, y).data();
    },
    teardown: () => setBackend(previous),
  };
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
    prepare: (a, b, { m, k, n }) => {
      const x = tf.tensor2d(a, [m, k]);
      const y = tf.tensor2d(b, [k, n]);
      return () => {
        const c = tf.matMul(x, y);
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

/** Prints the table. */
export async function run(): Promise<void> {
  const defaultBackend = getBackend().name;
  const contestants: Contestant[] = [
    ours(defaultBackend),
    ...listBackends()
      .filter((name) => name !== defaultBackend)
      .map(ours),
    tfjs('cpu'),
    tfjs('wasm'),
  ];
  const g = new Generator(0);
  const random = (size: number) => Float32Array.from({ length: size }, () => 2 * g.uniform24() - 1);
  const inputs = SHAPES.map((s) => ({ shape: s, a: random(s.m * s.k), b: random(s.k * s.n) }));

  // gflops[c][s]: contestants are measured one at a time (tfjs keeps one global backend).
  const gflops: number[][] = [];
  const reference: ArrayLike<number>[] = [];
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
        return (2 * shape.m * shape.k * shape.n) / measureMs(call, warmMs) / 1e6;
      }),
    );
    contestant.teardown?.();
  }

  const peers = contestants.map((c, i) => [c, i] as const).filter(([c]) => c.peer);
  const header = [
    'float32 [m x k]·[k x n]',
    ...contestants.map((c) => c.name),
    ...peers.map(([c]) => `ours/${c.name}`),
  ];
  const rows = inputs.map(({ shape }, s) => [
    shape.label,
    ...gflops.map((col) => col[s]!.toFixed(2)),
    ...peers.map(([, i]) => ratio(gflops[0]![s]!, gflops[i]![s]!)),
  ]);
  printTable(
    `matmul GFLOP/s (median; "ours" = @proj/tensor ${defaultBackend}, the default backend)`,
    header,
    rows,
  );
}
