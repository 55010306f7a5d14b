/**
 * `pnpm bench training`: one training step of the default `proj train` GPT (4 layers, 4 heads, 128
 * wide, block 64, batch 12, char vocabulary of 65: forward, backward, clip, AdamW) for @proj/train's
 * loop, and in the same run the same model in TensorFlow.js (cpu and wasm backends) and in PyTorch
 * (Debian's python3-torch, when installed); then the recorded Shakespeare-char result.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GPT } from '@proj/nn';
import { backendName, Generator, setBackend } from '@proj/tensor';
import { disableThreads, enableThreads } from '@proj/tensor/node';
import { AdamW, decayParamGroups, pretrain, TokenDataset } from '@proj/train';
import { median, printTable, ratio } from './report.js';
import { loadTfjs } from './tfjs-bundle.js';
import { type GPTShape, tfjsTrainer } from './tfjs-gpt.js';
import { runTorch } from './torch.js';

const SHAPE: GPTShape = { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, batchSize: 12 };
const TOKENS = SHAPE.batchSize * SHAPE.blockSize;
/**
 * Steps run before timing on the WASM backend: V8 compiles hot JavaScript and WebAssembly with its
 * optimising tiers during the first dozens of steps (a step's median fell 130 → 112 ms from steps
 * 3–13 to 40–60 in one run). PyTorch's side (torch_gpt.py) warms up 5 steps and times 30.
 */
const WARMUP = 20;
const here = dirname(fileURLToPath(import.meta.url));

/**
 * Median of the per-step times after `warmup` steps, of `steps` steps of the real `pretrain` loop on
 * the active backend, for a GPT of `shape` (default: the default `proj train` one).
 */
export async function oursMs(steps: number, warmup = WARMUP, shape: GPTShape = SHAPE): Promise<number> {
  const g = new Generator(1337);
  const ids = Int32Array.from({ length: 100_000 }, () => g.integer(0, shape.vocabSize));
  const model = new GPT({ ...shape, bias: false, dropout: 0 }, { generator: new Generator(1337) });
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.1), {
    lr: 1e-3,
    betas: [0.9, 0.99],
  });
  const times: number[] = [];
  let last = 0;
  await pretrain({
    model,
    optimizer,
    train: new TokenDataset(ids),
    batchSize: shape.batchSize,
    blockSize: shape.blockSize,
    maxIters: warmup + steps,
    gradClip: 1,
    evalIters: 0,
    generator: g,
    onEvent: (e) => {
      if (e.type !== 'step') return;
      if (e.iter >= warmup) times.push(e.elapsedMs - last);
      last = e.elapsedMs;
    },
  });
  return median(times);
}

async function tfjsMs(backend: 'cpu' | 'wasm', steps: number, warmup = 1): Promise<number> {
  const tf = await loadTfjs();
  if (!(await tf.setBackend(backend))) return Number.NaN;
  await tf.ready();
  const step = tfjsTrainer(tf, SHAPE);
  const g = new Generator(1);
  const batch = () => Int32Array.from({ length: TOKENS }, () => g.integer(0, SHAPE.vocabSize));
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const [x, y] = [batch(), batch()];
    const t0 = performance.now();
    step(x, y);
    if (i >= warmup) times.push(performance.now() - t0);
  }
  tf.disposeVariables();
  return median(times);
}

/** PyTorch's ms/iteration through tooling/bench/torch_gpt.py, or NaN without torch. */
function torchMs(threads: number): number {
  return (
    runTorch<{ msPerIter: number }>('torch_gpt.py', ['speed', '--threads', String(threads)])?.msPerIter ??
    Number.NaN
  );
}

export async function run(): Promise<void> {
  const cores = availableParallelism();
  /** Rows: name, ms/iter, and the thread count to compare with PyTorch at (0: no such column). */
  const rows: [string, number, number][] = [];
  const initial = backendName();
  rows.push([`@proj (${initial}, 1 thread)`, await oursMs(30), 1]);
  const threads = await enableThreads(cores);
  rows.push([`@proj (${initial}, ${threads} threads: proj train's default here)`, await oursMs(30), threads]);
  disableThreads();
  setBackend('js');
  rows.push(['@proj (js kernels, 1 thread)', await oursMs(5, 2), 0]);
  setBackend(initial);
  for (const backend of ['cpu', 'wasm'] as const) {
    try {
      rows.push([`tfjs-${backend}`, await tfjsMs(backend, 3), 0]);
    } catch (error) {
      console.error(`tfjs-${backend} failed: ${(error as Error).message}`);
      rows.push([`tfjs-${backend}`, Number.NaN, 0]);
    }
  }
  const torch = new Map<number, number>([[1, torchMs(1)]]);
  if (cores > 1) torch.set(cores, torchMs(cores));
  for (const [count, ms] of torch) rows.push([`PyTorch ${count} thread${count > 1 ? 's' : ''}`, ms, 0]);
  const ours = rows[0]![1];
  printTable(
    'training step, default GPT (4x128, block 64, batch 12: forward + backward + clip + AdamW)',
    ['implementation', 'ms/iter', 'tokens/s', 'time vs @proj 1 thread', 'time vs PyTorch, same threads'],
    rows.map(([name, ms, count]) => [
      name,
      ms.toFixed(1),
      (TOKENS / (ms / 1000)).toFixed(0),
      ratio(ms, ours),
      torch.has(count) ? ratio(ms, torch.get(count)!) : '',
    ]),
  );
  printShakespeare();
}

/** One recorded run of results/shakespeare-char.json. */
interface RecordedRun {
  name: string;
  seed: number;
  iters: number;
  valLoss: number;
  valLoss200: number;
  trainLoss: number;
  wallSeconds: number;
  msPerIter: number;
  load: string;
  date: string;
}

/** The recorded 2000-iteration Shakespeare-char runs (results/shakespeare-char.json: measured, not computed here). */
function printShakespeare(): void {
  const file = join(here, '..', 'results', 'shakespeare-char.json');
  if (!existsSync(file)) return;
  const { about, runs } = JSON.parse(readFileSync(file, 'utf8')) as { about: string; runs: RecordedRun[] };
  printTable(
    'Shakespeare-char, 2000 iters (recorded in tooling/bench/results/shakespeare-char.json; nanoGPT reports val 1.886)',
    ['run', 'seed', 'val loss', 'val (200 batches)', 'train loss', 'wall', 'ms/iter', 'conditions'],
    runs.map((r) => [
      r.name,
      r.seed,
      r.valLoss.toFixed(4),
      r.valLoss200.toFixed(4),
      r.trainLoss.toFixed(4),
      `${r.wallSeconds.toFixed(0)} s`,
      r.msPerIter.toFixed(1),
      `${r.load}, ${r.date}`,
    ]),
  );
  console.log(about);
}
