/**
 * `pnpm bench webgpu` (part of the default run when a WebGPU adapter exists): the WebGPU backend's
 * float32 matrix products (TFLOP/s at 1024–4096) and GPT training steps (the default `proj train`
 * shape and a GPT-2-small one), with PyTorch on the same GPU (CUDA, TF32 off) in the same run where
 * it has one. On a software adapter (Mesa's llvmpipe, SwiftShader) the numbers measure a CPU
 * emulating a GPU: the table says so, and the large shapes are skipped.
 */
import {
  backendName,
  createWebGPUBackend,
  matmul,
  randn,
  registerBackend,
  setBackend,
  type WebGPUBackend,
} from '@proj/tensor';
import { requestNodeGPU } from '@proj/tensor/node';
import { printTable } from './report.js';
import { runTorch } from './torch.js';
import { oursMs } from './training.js';

/** GPT shapes of the training rows (batch sizes as torch_cuda.py's). */
const SHAPES = {
  default: { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, batchSize: 12 },
  gpt2Small: { vocabSize: 50257, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768, batchSize: 4 },
} as const;

interface TorchCuda {
  cuda: boolean;
  device?: string;
  matmulTflops?: Record<string, number>;
  stepMs?: Record<keyof typeof SHAPES, number>;
}

/** TFLOP/s of `reps` float32 `n × n` products on the active (WebGPU) backend, after two warm-up products. */
async function matmulTflops(backend: WebGPUBackend, n: number, reps: number): Promise<number> {
  const a = randn([n, n]);
  const b = randn([n, n]);
  for (let i = 0; i < 2; i++) matmul(a, b);
  await backend.finish();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) matmul(a, b);
  await backend.finish();
  return (2 * n ** 3 * reps) / ((performance.now() - t0) / 1000) / 1e12;
}

export async function run(): Promise<void> {
  const gpu = await requestNodeGPU();
  let backend: WebGPUBackend;
  try {
    backend = await createWebGPUBackend({ gpu });
  } catch (error) {
    console.log(`\nwebgpu: skipped (${(error as Error).message})`);
    return;
  }
  const software = /llvmpipe|swiftshader|lavapipe/i.test(backend.adapterName);
  const torch = software ? null : runTorch<TorchCuda>('torch_cuda.py', []);
  const cuda = torch?.cuda ? torch : null;
  const note = software
    ? 'software adapter: a CPU emulating a GPU, so these are not GPU numbers (GPU numbers: run on a machine with one)'
    : `PyTorch: ${cuda ? `${cuda.device}, CUDA, fp32, TF32 off` : 'no CUDA device here'}`;
  registerBackend(backend);
  const previous = backendName();
  setBackend(backend.name);
  try {
    const sizes = software ? [256, 512] : [1024, 2048, 4096];
    const rows: (string | number)[][] = [];
    for (const n of sizes) {
      const ours = await matmulTflops(backend, n, software ? 3 : 20);
      const theirs = cuda?.matmulTflops?.[String(n)];
      rows.push([
        n,
        ours.toFixed(3),
        theirs ? theirs.toFixed(1) : '—',
        theirs ? `${((ours / theirs) * 100).toFixed(0)}%` : '',
      ]);
    }
    printTable(
      `float32 matmul n×n on WebGPU (${backend.adapterName}; ${note})`,
      ['n', '@proj webgpu TFLOP/s', 'PyTorch TFLOP/s', 'ours / PyTorch'],
      rows,
    );
    const steps: (string | number)[][] = [];
    for (const name of software ? (['default'] as const) : (['default', 'gpt2Small'] as const)) {
      const ours = await oursMs(software ? 3 : 10, 2, SHAPES[name]);
      const theirs = cuda?.stepMs?.[name];
      steps.push([
        name,
        ours.toFixed(1),
        theirs ? theirs.toFixed(1) : '—',
        theirs ? `${(ours / theirs).toFixed(2)}x` : '',
      ]);
    }
    printTable(
      `GPT training step on WebGPU (${note})`,
      ['shape', '@proj webgpu ms', 'PyTorch ms', 'time vs PyTorch'],
      steps,
    );
  } finally {
    setBackend(previous);
  }
}
