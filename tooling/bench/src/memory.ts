/**
 * `pnpm bench memory`: trains the default `proj train` GPT (4 layers, 4 heads, 128 wide, block 64,
 * batch 12, char vocabulary of 65, AdamW with warmup + cosine, grad clip 1, evaluations every 250
 * steps) with @proj/train's `pretrain` for many steps and samples the process's memory every 250
 * steps, after a forced full GC: resident set, V8 heap, external and ArrayBuffer bytes, and the
 * WASM backend's reserved memory. Then a verdict: RSS growth from step 1,000 to the end and the
 * least-squares slope over the second half, in MB per 1,000 steps.
 *
 * Options (after the suite name): `--steps N` (default 10000), `--threads N` (default 1, as
 * `proj train`), `--every N` (default 250), `--out FILE` (also write the samples as JSON).
 * @example npx pnpm@12.4.2 bench -- memory --steps 2000 --threads 2
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { GPT } from '@proj/nn';
import { backendName, Generator, wasmStats } from '@proj/tensor';
import { enableThreads } from '@proj/tensor/node';
import { CharTokenizer } from '@proj/tokenizers';
import { AdamW, cosineWithWarmup, decayParamGroups, pretrain, TokenDataset } from '@proj/train';
import { printTable } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const SHAKESPEARE = join(here, '../../../../shared/data/tinyshakespeare.txt');
const MB = 1e6;

/** One memory sample, taken after step `step` (1-based: steps done) and a forced full GC. */
export interface MemorySample {
  step: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Bytes of WebAssembly memory the wasm backend has reserved (0 on the js backend). */
  wasm: number;
  /** Mean milliseconds per training step since the previous sample (evaluations included). */
  msPerStep: number;
}

interface Options {
  steps: number;
  threads: number;
  every: number;
  out: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, fallback: number): number => {
    const raw = value(name);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`bench memory: --${name} must be a positive integer`);
    return n;
  };
  return {
    steps: int('steps', 10_000),
    threads: int('threads', 1),
    every: int('every', 250),
    out: value('out'),
  };
}

/** `global.gc`, exposed at run time (tsx gives no way to pass `--expose-gc` through `pnpm bench`). */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Character ids of Tiny Shakespeare (vocabulary 65), or random ids over 65 where the file is absent. */
function corpus(): { ids: Int32Array; source: string } {
  if (existsSync(SHAKESPEARE)) {
    const text = readFileSync(SHAKESPEARE, 'utf8');
    const tokenizer = CharTokenizer.fromCorpus(text);
    return {
      ids: Int32Array.from(tokenizer.encode(text)),
      source: `tinyshakespeare (vocab ${tokenizer.vocabSize})`,
    };
  }
  const g = new Generator(7);
  return {
    ids: Int32Array.from({ length: 1_000_000 }, () => g.integer(0, 65)),
    source: 'random ids (vocab 65)',
  };
}

/** Least-squares slope of `ys` against `xs`, and its standard error. */
export function slope(xs: readonly number[], ys: readonly number[]): { slope: number; se: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const b = sxx > 0 ? sxy / sxx : Number.NaN;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - my - b * (xs[i]! - mx)) ** 2;
  return { slope: b, se: n > 2 ? Math.sqrt(sse / (n - 2) / sxx) : Number.NaN };
}

/**
 * The verdict over the samples: growth from step 1,000 (or the first sample after it) to the end,
 * and least-squares slopes over the second half in MB per 1,000 steps. Flat means: the WASM memory
 * did not change, the retained ArrayBuffers and heap grow less than 0.05 and 0.2 MB per 1,000 steps
 * (the heap holds the loss history, ~0.06 MB per 1,000 steps), and the resident set's slope is
 * under 1 MB per 1,000 steps or within two standard errors of zero (the allocator makes RSS noisy).
 */
export function verdict(samples: readonly MemorySample[], steps: number) {
  const last = samples.at(-1)!;
  const from = samples.find((s) => s.step >= Math.min(1000, steps / 2)) ?? samples[0]!;
  const half = samples.filter((s) => s.step >= steps / 2);
  const per1k = (key: keyof MemorySample) => {
    const fit = slope(
      half.map((s) => s.step),
      half.map((s) => s[key]),
    );
    return { slope: (fit.slope * 1000) / MB, se: (fit.se * 1000) / MB };
  };
  const rss = per1k('rss');
  const heap = per1k('heapUsed');
  const arrayBuffers = per1k('arrayBuffers');
  return {
    fromStep: from.step,
    toStep: last.step,
    rssGrowthMB: (last.rss - from.rss) / MB,
    heapGrowthMB: (last.heapUsed - from.heapUsed) / MB,
    arrayBuffersGrowthMB: (last.arrayBuffers - from.arrayBuffers) / MB,
    wasmGrowthMB: (last.wasm - from.wasm) / MB,
    rssSlopeMBPer1k: rss.slope,
    rssSlopeStdErr: rss.se,
    heapSlopeMBPer1k: heap.slope,
    arrayBuffersSlopeMBPer1k: arrayBuffers.slope,
    flat:
      last.wasm === from.wasm &&
      arrayBuffers.slope < 0.05 &&
      heap.slope < 0.2 &&
      (rss.slope < 1 || rss.slope < 2 * rss.se),
  };
}

function conditions(threads: number, source: string) {
  const git = (cmd: string) => {
    try {
      return execSync(cmd, { cwd: here, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    date: new Date().toISOString(),
    commit: git('git rev-parse --short HEAD'),
    dirtyFiles: git('git status --porcelain --untracked-files=no').split('\n').filter(Boolean).length,
    node: process.version,
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
    backend: backendName(),
    threads,
    data: source,
  };
}

export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const o = parseOptions(argv);
  const gc = exposeGc();
  const threads = o.threads > 1 ? await enableThreads(o.threads) : 1;
  const { ids, source } = corpus();
  const about = conditions(threads, source);
  const { train, val } = new TokenDataset(ids).split(0.9);
  const generator = new Generator(1337);
  const model = new GPT(
    { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, bias: false, dropout: 0 },
    { generator },
  );
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.1), {
    lr: 1e-3,
    betas: [0.9, 0.99],
  });
  const schedule = cosineWithWarmup({
    lr: 1e-3,
    minLr: 1e-4,
    warmupIters: 100,
    lrDecayIters: Math.max(o.steps, 101),
  });

  const samples: MemorySample[] = [];
  let lastMs = 0;
  let lastStep = 0;
  const sample = async (step: number, elapsedMs: number) => {
    // Let pending jobs run, then collect twice: V8 frees ArrayBuffer memory on a background sweeper,
    // so a reading right after one GC can still count buffers that are already dead.
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    const m = process.memoryUsage();
    samples.push({
      step,
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      wasm: wasmStats()?.memoryBytes ?? 0,
      msPerStep: (elapsedMs - lastMs) / (step - lastStep),
    });
    const s = samples.at(-1)!;
    console.error(
      `step ${step}: rss ${(s.rss / MB).toFixed(1)} MB, heap ${(s.heapUsed / MB).toFixed(2)} MB, ` +
        `arrayBuffers ${(s.arrayBuffers / MB).toFixed(2)} MB, wasm ${(s.wasm / MB).toFixed(2)} MB, ${s.msPerStep.toFixed(0)} ms/step`,
    );
    lastMs = elapsedMs;
    lastStep = step;
  };

  const result = await pretrain({
    model,
    optimizer,
    train,
    val,
    batchSize: 12,
    blockSize: 64,
    maxIters: o.steps,
    gradClip: 1,
    schedule,
    evalInterval: 250,
    evalIters: 20,
    generator,
    onEvent: async (e) => {
      if (e.type !== 'step') return;
      const step = e.iter + 1;
      if (step === 1 || step % o.every === 0 || step === o.steps) await sample(step, e.elapsedMs);
      // An awaited tick, as `proj train` does: lets finalizers and worker messages run.
      await new Promise((resolve) => setImmediate(resolve));
    },
  });

  printTable(
    `memory over ${o.steps} training steps, default GPT (${about.backend}, ${threads} thread${threads > 1 ? 's' : ''}; after a forced GC)`,
    ['step', 'rss MB', 'heapUsed MB', 'external MB', 'arrayBuffers MB', 'wasm MB', 'ms/step'],
    samples.map((s) => [
      s.step,
      (s.rss / MB).toFixed(1),
      (s.heapUsed / MB).toFixed(2),
      (s.external / MB).toFixed(2),
      (s.arrayBuffers / MB).toFixed(2),
      (s.wasm / MB).toFixed(2),
      s.msPerStep.toFixed(0),
    ]),
  );
  const v = verdict(samples, o.steps);
  console.log(
    `\nverdict: ${v.flat ? 'flat' : 'GROWING'}: RSS ${v.rssGrowthMB >= 0 ? '+' : ''}${v.rssGrowthMB.toFixed(1)} MB ` +
      `from step ${v.fromStep} to ${v.toStep}; second-half slope ${v.rssSlopeMBPer1k.toFixed(2)} ± ${v.rssSlopeStdErr.toFixed(2)} MB per 1,000 steps ` +
      `(heapUsed ${v.heapSlopeMBPer1k.toFixed(3)}, arrayBuffers ${v.arrayBuffersSlopeMBPer1k.toFixed(3)}); ` +
      `wasm memory ${v.wasmGrowthMB === 0 ? 'unchanged' : `${v.wasmGrowthMB.toFixed(2)} MB more`}; ` +
      `final train loss ${result.finalTrainLoss.toFixed(4)}, val ${result.finalValLoss.toFixed(4)}`,
  );
  if (o.out) {
    const record = {
      about:
        'pnpm bench memory: the default proj train GPT trained with @proj/train pretrain; memory sampled after a forced full GC. ' +
        'heapUsed grows by design with the loss history pretrain keeps (one [iter, loss] pair per step).',
      conditions: { ...about, loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))) },
      steps: o.steps,
      msPerIter: result.msPerIter,
      finalTrainLoss: result.finalTrainLoss,
      finalValLoss: result.finalValLoss,
      verdict: v,
      samples,
    };
    writeFileSync(o.out, `${JSON.stringify(record, null, 2)}\n`);
  }
}
