/**
 * `pnpm bench vision`: images/s of LeNet-5 on 28×28 MNIST-sized inputs (conv 1→6 5×5 padding 2, ReLU,
 * max-pool 2, conv 6→16 5×5, ReLU, max-pool 2, 400→120→84→10 with ReLU; 61,706 parameters; the CNN
 * of `apps/vision`), a
 * training step at batch 64 (forward, cross-entropy, backward, AdamW) and inference at batch 256 (no
 * gradients), for @proj/nn (WASM on 1 thread and on every core, and the JS kernels) and, in the
 * same run, PyTorch (Debian's python3-torch, tooling/bench/torch_vision.py) on 1 thread and on every core.
 */
import { availableParallelism } from 'node:os';
import { crossEntropy, noGrad } from '@proj/autograd';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@proj/nn';
import { backendName, Generator, rand, randint, setBackend } from '@proj/tensor';
import { disableThreads, enableThreads } from '@proj/tensor/node';
import { AdamW } from '@proj/train';
import { median, printTable, ratio } from './report.js';
import { runTorch } from './torch.js';

const TRAIN_BATCH = 64;
const INFER_BATCH = 256;

/** LeNet-5 with ReLU and max pooling, as tooling/bench/torch_vision.py builds it. */
function lenet(generator: Generator): Sequential {
  const layer = { generator };
  return new Sequential(
    new Conv2d(1, 6, 5, { ...layer, padding: 2 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(6, 16, 5, layer),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(400, 120, layer),
    new ReLU(),
    new Linear(120, 84, layer),
    new ReLU(),
    new Linear(84, 10, layer),
  );
}

/** Median ms of a training step and of an inference batch, after warm-up. */
function oursMs(steps: number, warmup: number): { train: number; infer: number } {
  const g = new Generator(0);
  const model = lenet(g);
  const optimizer = new AdamW(model.parameters(), { lr: 1e-3 });
  const images = rand([TRAIN_BATCH, 1, 28, 28], { generator: g });
  const labels = randint(0, 10, [TRAIN_BATCH], { generator: g });
  const train: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    optimizer.zeroGrad();
    crossEntropy(model.forward(images), labels).backward();
    optimizer.step();
    if (i >= warmup) train.push(performance.now() - t0);
  }
  const batch = rand([INFER_BATCH, 1, 28, 28], { generator: g });
  model.eval();
  const infer: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    noGrad(() => model.forward(batch));
    if (i >= warmup) infer.push(performance.now() - t0);
  }
  return { train: median(train), infer: median(infer) };
}

export async function run(): Promise<void> {
  const cores = availableParallelism();
  const rows: { name: string; train: number; infer: number; threads: number }[] = [];
  const initial = backendName();
  rows.push({ name: `@proj (${initial}, 1 thread)`, ...oursMs(20, 5), threads: 1 });
  const threads = await enableThreads(cores);
  rows.push({ name: `@proj (${initial}, ${threads} threads)`, ...oursMs(20, 5), threads });
  disableThreads();
  setBackend('js');
  rows.push({ name: '@proj (js kernels, 1 thread)', ...oursMs(5, 2), threads: 0 });
  setBackend(initial);
  const torch = new Map<number, { train: number; infer: number }>();
  for (const count of cores > 1 ? [1, cores] : [1]) {
    const ms = runTorch<{ trainMs: number; inferMs: number }>('torch_vision.py', [
      '--threads',
      String(count),
    ]);
    if (!ms) continue;
    torch.set(count, { train: ms.trainMs, infer: ms.inferMs });
    rows.push({
      name: `PyTorch ${count} thread${count > 1 ? 's' : ''}`,
      train: ms.trainMs,
      infer: ms.inferMs,
      threads: -1,
    });
  }
  const perSecond = (batch: number, ms: number) => (batch / (ms / 1000)).toFixed(0);
  printTable(
    `LeNet-5 on 28x28 images: training step (batch ${TRAIN_BATCH}: forward, cross-entropy, backward, AdamW) and inference (batch ${INFER_BATCH})`,
    [
      'implementation',
      'train ms/step',
      'train images/s',
      'infer images/s',
      'train time vs PyTorch, same threads',
    ],
    rows.map((r) => [
      r.name,
      r.train.toFixed(1),
      perSecond(TRAIN_BATCH, r.train),
      perSecond(INFER_BATCH, r.infer),
      torch.has(r.threads) ? ratio(r.train, torch.get(r.threads)!.train) : '',
    ]),
  );
}
