/**
 * `pnpm bench lora`: one finetuning step (forward, backward, clip, AdamW) with LoRA adapters against
 * full finetuning, on the default `proj train` GPT (4 layers, 4 heads, 128 wide, block 64, batch 12,
 * SOTU's 98-character vocabulary) and on a GPT-2-small-shaped model (124M parameters, random weights,
 * 128 tokens, batch 2). Per row: trainable parameters, the bytes of AdamW's state and of the
 * gradients after the steps, and the median ms/step. One thread.
 */
import { applyLoRA, GPT, type GPTConfig, type LoRAConfig, trainableParameters } from '@proj/nn';
import { backendName, Generator, randint, type Tensor } from '@proj/tensor';
import { AdamW, clipGradNorm, decayParamGroups } from '@proj/train';
import { median, printTable } from './report.js';

interface Shape {
  title: string;
  config: Partial<GPTConfig>;
  batchSize: number;
  tokens: number;
  warmup: number;
  steps: number;
}

const SHAPES: Shape[] = [
  {
    title: 'default proj train GPT (4x128, vocab 98, block 64, batch 12)',
    config: { vocabSize: 98, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, bias: false, dropout: 0 },
    batchSize: 12,
    tokens: 64,
    warmup: 3,
    steps: 10,
  },
  {
    title: 'GPT-2 small shape (124M, random weights, 128 tokens, batch 2)',
    config: { vocabSize: 50257, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768, geluApproximate: 'tanh' },
    batchSize: 2,
    tokens: 128,
    warmup: 1,
    steps: 3,
  },
];

/** Full finetuning (null) and the LoRA configs compared with it. */
const MODES: [string, LoRAConfig | null][] = [
  ['full finetuning', null],
  ['LoRA r=8 c_attn', { r: 8, alpha: 16, targetModules: ['c_attn'] }],
  ['LoRA r=8 c_attn,c_proj', { r: 8, alpha: 16, targetModules: ['c_attn', 'c_proj'] }],
];

const MB = 2 ** 20;

/** One mode's model and optimizer, stepped in turn with the others. */
interface Run {
  mode: string;
  model: GPT;
  optimizer: AdamW;
  times: number[];
}

function setUp(shape: Shape, mode: string, lora: LoRAConfig | null): Run {
  const model = new GPT(shape.config, { generator: new Generator(0) });
  if (lora) applyLoRA(model, { ...lora, generator: new Generator(1) });
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.1), { lr: 1e-4 });
  return { mode, model, optimizer, times: [] };
}

/** One step: forward, backward, gradient clipping and AdamW, timed. */
function step(run: Run, x: Tensor, y: Tensor): number {
  const start = performance.now();
  run.optimizer.zeroGrad();
  run.model.forward(x, y).loss!.backward();
  clipGradNorm(run.model.parameters(), 1);
  run.optimizer.step();
  return performance.now() - start;
}

const bytes = (t: Tensor | null) => (t ? t.size * t.storage.BYTES_PER_ELEMENT : 0);

export async function run(): Promise<void> {
  for (const shape of SHAPES) {
    const runs = MODES.map(([mode, lora]) => setUp(shape, mode, lora));
    // the modes take turns on the same batches, so a change in the machine's load hits them alike
    const g = new Generator(2);
    const vocab = shape.config.vocabSize!;
    for (let i = 0; i < shape.warmup + shape.steps; i++) {
      const x = randint(0, vocab, [shape.batchSize, shape.tokens], { generator: g });
      const y = randint(0, vocab, [shape.batchSize, shape.tokens], { generator: g });
      for (const r of runs) {
        const ms = step(r, x, y);
        if (i >= shape.warmup) r.times.push(ms);
      }
    }
    const fullMs = median(runs[0]!.times);
    printTable(
      `LoRA vs full finetuning, ${shape.title}: forward + backward + clip + AdamW (${backendName()}, 1 thread, median of ${shape.steps} steps, modes interleaved)`,
      ['mode', 'trainable params', 'trainable %', 'optimizer state', 'gradients', 'ms/step', 'time vs full'],
      runs.map(({ mode, model, optimizer, times }) => {
        const { trainable, percent } = trainableParameters(model);
        const state = Object.values(optimizer.stateDict().state).flatMap((s) => Object.values(s.buffers));
        const gradients = model.parameters().reduce((n, p) => n + bytes(p.grad), 0);
        return [
          mode,
          trainable.toLocaleString('en-US'),
          percent.toFixed(4),
          `${(state.reduce((n, t) => n + bytes(t), 0) / MB).toFixed(2)} MB`,
          `${(gradients / MB).toFixed(2)} MB`,
          median(times).toFixed(1),
          `${(median(times) / fullMs).toFixed(2)}x`,
        ];
      }),
    );
  }
}
