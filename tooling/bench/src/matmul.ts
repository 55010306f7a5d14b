import { getBackend, matmul, randn, setBackend, setNumThreads, type Tensor } from '@proj/tensor';
import { enableThreads } from '@proj/tensor/node';
import { printTable, ratio, timeMs } from './report.js';

/**
 * Float32 matmul GFLOP/s, side by side: square sizes, every transposition, batched products and the
 * shapes of the default GPT config (4 layers, 128 wide, 4 heads, block 64, batch 12 → 768 rows).
 * A contestant is one column; peers add theirs to `contestants`.
 */

/** One product `A·B` with `A` `[...batch, m, k]`, `B` `[...batch, k, n]`, either stored transposed. */
export interface MatmulCase {
  label: string;
  batch: number[];
  m: number;
  n: number;
  k: number;
  /** A stored as `[k, m]` and read through a transposed view. */
  ta: boolean;
  /** B stored as `[n, k]` (nn.Linear weights) and read through a transposed view. */
  tb: boolean;
}

/** A column of the table: milliseconds per product of a case, or NaN where it does not run it. */
export interface Contestant {
  name: string;
  time(c: MatmulCase): number;
}

const nn = (
  label: string,
  m: number,
  n: number,
  k: number,
  ta = false,
  tb = false,
  batch: number[] = [],
) => ({
  label,
  batch,
  m,
  n,
  k,
  ta,
  tb,
});

export const CASES: MatmulCase[] = [
  nn('128³', 128, 128, 128),
  nn('256³', 256, 256, 256),
  nn('512³', 512, 512, 512),
  nn('1024³', 1024, 1024, 1024),
  nn('512³ Aᵀ·B', 512, 512, 512, true, false),
  nn('512³ A·Bᵀ', 512, 512, 512, false, true),
  nn('512³ Aᵀ·Bᵀ', 512, 512, 512, true, true),
  nn('1024³ A·Bᵀ', 1024, 1024, 1024, false, true),
  nn('16×128³ batched', 128, 128, 128, false, false, [16]),
  nn('GPT qkv x·Wᵀ', 768, 384, 128, false, true),
  nn('GPT mlp up x·Wᵀ', 768, 512, 128, false, true),
  nn('GPT mlp down x·Wᵀ', 768, 128, 512, false, true),
  nn('GPT lm head x·Wᵀ', 768, 65, 128, false, true),
  nn('GPT q·kᵀ [48]', 64, 64, 32, false, true, [12, 4]),
  nn('GPT att·v [48]', 64, 32, 64, false, false, [12, 4]),
  nn('GPT dW = dyᵀ·x', 512, 128, 768, true, false),
  nn('GPT dx = dy·W', 768, 128, 512),
];

/** Random operands laid out as the case says (transposed storage read through views). */
export function operands(c: MatmulCase): [Tensor, Tensor] {
  const a = c.ta ? randn([...c.batch, c.k, c.m]).transpose(-2, -1) : randn([...c.batch, c.m, c.k]);
  const b = c.tb ? randn([...c.batch, c.n, c.k]).transpose(-2, -1) : randn([...c.batch, c.k, c.n]);
  return [a, b];
}

function flops(c: MatmulCase): number {
  return 2 * c.batch.reduce((p, d) => p * d, 1) * c.m * c.n * c.k;
}

/** @proj/tensor on `backend` with `threads` threads (the JS kernels skip the largest products). */
function ours(name: string, backend: string, threads: number): Contestant {
  return {
    name,
    time(c) {
      if (backend === 'js' && flops(c) > 2 ** 29) return Number.NaN;
      const previous = getBackend().name;
      setBackend(backend);
      setNumThreads(threads);
      try {
        const [a, b] = operands(c);
        return timeMs(() => matmul(a, b));
      } finally {
        setBackend(previous);
        setNumThreads(1);
      }
    },
  };
}

/** Runs every case for every contestant and prints GFLOP/s with the speed-up ratios. */
export async function run(): Promise<void> {
  const threads = await enableThreads(2);
  const contestants: Contestant[] = [
    ours('@proj/tensor js', 'js', 1),
    ours('@proj/tensor wasm (1 thread)', 'wasm', 1),
    ...(threads >= 2 ? [ours('wasm (2 threads)', 'wasm', 2)] : []),
  ];
  const rows = CASES.map((c) => {
    const gflops = contestants.map((who) => flops(c) / who.time(c) / 1e6);
    const [js, one, two] = gflops as [number, number, number | undefined];
    const cells = gflops.map((g) => (Number.isFinite(g) ? g.toFixed(1) : '—'));
    return [c.label, ...cells, ratio(one, js), two === undefined ? 'n/a' : ratio(two, one)];
  });
  printTable(
    'float32 matmul GFLOP/s (median of repeated runs)',
    ['shape', ...contestants.map((who) => who.name), 'wasm/js', '2 threads/1'],
    rows,
  );
}
