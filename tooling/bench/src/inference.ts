/**
 * `pnpm bench inference`: greedy decoding with a KV cache, @proj/nn's `generate` beside PyTorch
 * (torch_inference.py: the same model, preallocated key/value buffers, the head on the last position
 * only) in one run, for the default `proj train` GPT and the GPT-2-small shape (124M parameters,
 * random weights, tanh GELU, batch 1, a 256-token prompt). Per row: prefill ms (the prompt's forward
 * and the first token), decode ms per token (median over the steps, median over runs) and tokens/s,
 * at 1 and 2 threads, and the ratios to PyTorch at equal threads and to the memory-bandwidth floor of
 * decoding: the bytes of weights one step reads ÷ this machine's measured copy bandwidth. Then the
 * 16-bit packed weights: decode speed and the logit error against float32.
 *
 * Our side runs `generate` on a model packed once beforehand (`packWeights`, as a caller generating
 * repeatedly would; packing time is reported apart), its forward wrapped to timestamp each step. One
 * thread runs before `enableThreads`, in the unshared kernel memory; two threads after, repacked into
 * the shared one. The machine is shared: the load average is printed, and a ratio only means
 * something when it was low. Options: `--out <file>` writes the measurements as JSON,
 * `--shapes default,gpt2` picks shapes, `--runs <n>` (default 3).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { GPT, type GPTConfig, generate, type KVCache, type LanguageModel, packWeights } from '@proj/nn';
import { Generator, randint, setNumThreads, type Tensor, type WeightDType } from '@proj/tensor';
import { disableThreads, enableThreads } from '@proj/tensor/node';
import { median, printTable, ratio } from './report.js';
import { runTorch } from './torch.js';

interface Shape {
  key: 'default' | 'gpt2';
  title: string;
  config: Partial<GPTConfig>;
  prompt: number;
  newTokens: number;
  /**
   * Runs before timing: V8 compiles hot JavaScript with its optimising tier over the first few
   * hundred steps of a small model (the first run of the default GPT took 4× the later ones).
   */
  warmup: number;
}

const SHAPES: Shape[] = [
  {
    key: 'default',
    title: 'default proj train GPT (4 layers, 4 heads, 128 wide, block 64, vocab 98), prompt 32',
    config: { vocabSize: 98, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, bias: false },
    prompt: 32,
    newTokens: 31,
    warmup: 20,
  },
  {
    key: 'gpt2',
    title: 'GPT-2 small shape (124M, random weights, tanh GELU, batch 1), prompt 256',
    config: { vocabSize: 50257, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768, geluApproximate: 'tanh' },
    prompt: 256,
    newTokens: 32,
    warmup: 1,
  },
];

/** One measured configuration. */
interface Measurement {
  shape: string;
  implementation: string;
  weights: WeightDType;
  threads: number;
  prefillMs: number;
  decodeMs: number;
  /** CPU time of the same (all threads of the process). */
  prefillCpuMs: number;
  decodeCpuMs: number;
  /** Bytes of weights one decoding step reads. */
  weightBytes: number;
  packMs?: number;
}

/** What torch_inference.py prints. */
interface TorchResult {
  prefillMs: number;
  decodeMs: number;
  prefillCpuMs: number;
  decodeCpuMs: number;
  weightBytes: number;
  blas: string[] | null;
}

/**
 * Bytes one decoding step reads: every parameter once (the tied head once), one row of the position
 * table; Linear weights at 2 bytes when packed in a 16-bit format.
 */
function weightBytes(model: GPT, dtype: WeightDType): number {
  let bytes = 0;
  for (const [name, p] of model.namedParameters()) {
    if (name === 'transformer.wpe.weight') bytes += 4 * p.shape[1]!;
    else if (dtype !== 'float32' && p.ndim === 2)
      bytes += 2 * p.size; // the Linears and the tied head
    else bytes += 4 * p.size;
  }
  return bytes;
}

/** Prefill and decode-step times of one run, wall clock and CPU of this process (both ms). */
interface Timing {
  prefill: number;
  decode: number;
  prefillCpu: number;
  decodeCpu: number;
}

/** Milliseconds of CPU this process (every thread) has used. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Prefill and per-token decode times of greedy `generate` on `model` (already packed): each forward
 * is timestamped, a step lasting from one forward to the next (sampling included); the decode time
 * is the median step. CPU time is taken the same way: on a loaded machine it estimates what one
 * thread would take alone, which wall time does not.
 */
function timedGenerate(model: GPT, prompt: Tensor, newTokens: number): Timing {
  const starts: number[] = [];
  const cpu: number[] = [];
  const timed: LanguageModel<KVCache> = {
    config: model.config,
    training: false,
    transientForward: true,
    createCache: () => model.createCache(),
    forward: (ids, targets, options) => {
      starts.push(performance.now());
      cpu.push(cpuMs());
      return model.forward(ids, targets, options);
    },
  };
  const begin = performance.now();
  const beginCpu = cpuMs();
  generate(timed, prompt, { maxNewTokens: newTokens + 1, temperature: 0 });
  starts.push(performance.now());
  cpu.push(cpuMs());
  const steps = (t: number[]) => t.slice(2).map((x, i) => x - t[i + 1]!);
  return {
    prefill: starts[1]! - begin,
    decode: median(steps(starts)),
    prefillCpu: cpu[1]! - beginCpu,
    decodeCpu: median(steps(cpu)),
  };
}

/** Median prefill and decode over `runs` runs after the shape's warm-up runs, weights packed as `dtype`. */
function measure(model: GPT, shape: Shape, dtype: WeightDType, threads: number, runs: number): Measurement {
  const prompt = randint(0, shape.config.vocabSize!, [1, shape.prompt], { generator: new Generator(1) });
  const t0 = performance.now();
  const packed = packWeights(model, { dtype });
  const packMs = performance.now() - t0;
  try {
    const results = Array.from({ length: shape.warmup + runs }, () =>
      timedGenerate(model, prompt, shape.newTokens),
    ).slice(shape.warmup);
    const mid = (key: keyof Timing) => median(results.map((r) => r[key]));
    return {
      shape: shape.key,
      implementation: '@proj',
      weights: dtype,
      threads,
      prefillMs: mid('prefill'),
      decodeMs: mid('decode'),
      prefillCpuMs: mid('prefillCpu'),
      decodeCpuMs: mid('decodeCpu'),
      weightBytes: weightBytes(model, dtype),
      packMs,
    };
  } finally {
    packed.release();
  }
}

/** Last-position logits after the prompt, and the greedy continuation, with weights packed as `dtype`. */
function logitsAndTokens(
  model: GPT,
  shape: Shape,
  dtype: WeightDType,
): { logits: Float32Array; tokens: number[] } {
  const prompt = randint(0, shape.config.vocabSize!, [1, shape.prompt], { generator: new Generator(1) });
  let logits: Float32Array | null = null;
  const recording: LanguageModel<KVCache> = {
    config: model.config,
    training: false,
    createCache: () => model.createCache(),
    forward: (ids, targets, options) => {
      const out = model.forward(ids, targets, options);
      logits ??= (out.logits.data.data() as Float32Array).slice(); // the prompt's forward
      return out;
    },
  };
  const packed = packWeights(model, { dtype });
  try {
    const out = generate(recording, prompt, { maxNewTokens: shape.newTokens, temperature: 0 });
    return { logits: logits!, tokens: Array.from(out.data()).slice(shape.prompt) };
  } finally {
    packed.release();
  }
}

/** Bytes copied per second by `TypedArray.set` between two 256 MB arrays (best of 5). */
function copyBandwidth(): number {
  const n = 64 * 2 ** 20;
  const from = new Float32Array(n).fill(1);
  const to = new Float32Array(n);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    to.set(from);
    best = Math.min(best, performance.now() - t0);
  }
  return (4 * n) / (best / 1000);
}

function torchRun(shape: Shape, threads: number, runs: number): TorchResult | null {
  return runTorch<TorchResult>('torch_inference.py', [
    '--shape',
    shape.key,
    '--threads',
    String(threads),
    '--prompt',
    String(shape.prompt),
    '--new-tokens',
    String(shape.newTokens),
    '--runs',
    String(runs),
    '--warmup',
    String(shape.warmup),
  ]);
}

function parseOptions(argv: readonly string[]) {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(value('runs') ?? 3);
  if (!(Number.isInteger(runs) && runs > 0))
    throw new RangeError('bench inference: --runs must be a positive integer');
  const keys = (value('shapes') ?? 'default,gpt2').split(',');
  const shapes = SHAPES.filter((s) => keys.includes(s.key));
  if (shapes.length !== keys.length)
    throw new RangeError(`bench inference: --shapes takes ${SHAPES.map((s) => s.key).join(',')}`);
  return { runs, shapes, out: value('out') };
}

export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const o = parseOptions(argv);
  const bandwidth = copyBandwidth();
  const load = [loadavg()[0]!];
  const rows: Measurement[] = [];
  const torch: { shape: string; threads: number; result: TorchResult | null }[] = [];
  const errors: {
    shape: string;
    weights: WeightDType;
    maxAbs: number;
    relative: number;
    sameTokens: number;
  }[] = [];
  for (const shape of o.shapes) {
    const model = new GPT(shape.config, { generator: new Generator(0) }).eval();
    // one thread first, in the unshared kernel memory; then two, repacked into the shared one
    for (const threads of [1, 2]) {
      if (threads > 1) setNumThreads(await enableThreads(threads));
      for (const dtype of ['float32', 'bfloat16', 'float16'] as const)
        rows.push(measure(model, shape, dtype, threads, o.runs));
      torch.push({ shape: shape.key, threads, result: torchRun(shape, threads, o.runs) });
      if (threads > 1) disableThreads();
    }
    const reference = logitsAndTokens(model, shape, 'float32');
    const spread = Math.sqrt(reference.logits.reduce((s, v) => s + v * v, 0) / reference.logits.length);
    for (const weights of ['bfloat16', 'float16'] as const) {
      const { logits, tokens } = logitsAndTokens(model, shape, weights);
      const maxAbs = logits.reduce((m, v, i) => Math.max(m, Math.abs(v - reference.logits[i]!)), 0);
      const same = tokens.findIndex((t, i) => t !== reference.tokens[i]);
      errors.push({
        shape: shape.key,
        weights,
        maxAbs,
        relative: maxAbs / spread,
        sameTokens: same < 0 ? tokens.length : same,
      });
    }
  }
  load.push(loadavg()[0]!);
  for (const shape of o.shapes) {
    const ours = rows.filter((r) => r.shape === shape.key);
    const theirs = (threads: number) =>
      torch.find((t) => t.shape === shape.key && t.threads === threads)?.result;
    const floor = (bytes: number) => (bytes / bandwidth) * 1000;
    const table: (string | number)[][] = [];
    for (const threads of [1, 2]) {
      const t = theirs(threads);
      for (const r of ours.filter((x) => x.threads === threads)) {
        table.push([
          `@proj ${r.weights}`,
          threads,
          r.prefillMs.toFixed(1),
          r.decodeMs.toFixed(2),
          (1000 / r.decodeMs).toFixed(1),
          t ? ratio(r.prefillMs, t.prefillMs) : 'n/a',
          t ? ratio(r.decodeMs, t.decodeMs) : 'n/a',
          ratio(r.decodeMs, floor(r.weightBytes)),
          ratio(r.decodeMs, ours.find((x) => x.weights === r.weights && x.threads === 1)!.decodeMs),
        ]);
      }
      if (t)
        table.push([
          'PyTorch float32',
          threads,
          t.prefillMs.toFixed(1),
          t.decodeMs.toFixed(2),
          (1000 / t.decodeMs).toFixed(1),
          '',
          '',
          ratio(t.decodeMs, floor(t.weightBytes)),
          ratio(t.decodeMs, theirs(1)?.decodeMs ?? Number.NaN),
        ]);
    }
    printTable(
      `greedy decoding with a KV cache, ${shape.title}, ${shape.newTokens} new tokens`,
      [
        'implementation',
        'threads',
        'prefill ms',
        'decode ms/token',
        'tokens/s',
        'prefill vs PyTorch',
        'decode vs PyTorch',
        'decode vs floor',
        'decode vs 1 thread',
      ],
      table,
    );
    const t1 = theirs(1);
    printTable(
      `the same, one thread, in CPU time (what each side would take on a core of its own; wall time above includes waiting for a core)`,
      ['implementation', 'prefill CPU ms', 'decode CPU ms/token', 'prefill vs PyTorch', 'decode vs PyTorch'],
      [
        ...ours
          .filter((r) => r.threads === 1)
          .map((r) => [
            `@proj ${r.weights}`,
            r.prefillCpuMs.toFixed(1),
            r.decodeCpuMs.toFixed(2),
            t1 ? ratio(r.prefillCpuMs, t1.prefillCpuMs) : 'n/a',
            t1 ? ratio(r.decodeCpuMs, t1.decodeCpuMs) : 'n/a',
          ]),
        ...(t1 ? [['PyTorch float32', t1.prefillCpuMs.toFixed(1), t1.decodeCpuMs.toFixed(2), '', '']] : []),
      ],
    );
    const f32 = ours.find((r) => r.weights === 'float32')!;
    console.log(
      `floor: ${(f32.weightBytes / 1e6).toFixed(1)} MB of float32 weights per token (${(ours.find((r) => r.weights === 'bfloat16')!.weightBytes / 1e6).toFixed(1)} MB with 16-bit Linears) ÷ ${(bandwidth / 1e9).toFixed(2)} GB/s copy bandwidth = ${floor(f32.weightBytes).toFixed(2)} ms (${floor(ours.find((r) => r.weights === 'bfloat16')!.weightBytes).toFixed(2)} ms); packing the weights took ${ours.map((r) => `${r.packMs!.toFixed(0)} ms (${r.weights}, ${r.threads}t)`).join(', ')}`,
    );
  }
  printTable(
    'logit error of 16-bit packed weights against float32 (last prompt position; greedy tokens equal before the first divergence)',
    ['shape', 'weights', 'max |Δ logit|', '÷ RMS logit', 'greedy tokens equal'],
    errors.map((e) => [
      e.shape,
      e.weights,
      e.maxAbs.toExponential(2),
      e.relative.toExponential(2),
      `${e.sameTokens}/${o.shapes.find((s) => s.key === e.shape)!.newTokens}`,
    ]),
  );
  const blas = torch.find((t) => t.result)?.result?.blas;
  console.log(
    `load average ${load[0]!.toFixed(2)} before, ${load[1]!.toFixed(2)} after; ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}; PyTorch BLAS: ${blas ? blas.join(', ') : 'PyTorch not run'}`,
  );
  if (o.out)
    writeFileSync(
      o.out,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, loadAverage: load, copyBandwidth: bandwidth, rows, torch, errors }, null, 2)}\n`,
    );
}
