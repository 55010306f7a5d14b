import { GPT, type GPTConfig } from '@proj/nn';
import { backendName, Generator, setBackend } from '@proj/tensor';
import { TokenDataset } from '../data/token-dataset.js';
import type { TrainResult } from '../loop/events.js';
import { pretrain } from '../loop/pretrain.js';
import { AdamW } from '../optim/adam.js';
import { decayParamGroups } from '../optim/param-groups.js';

/** A small GPT run: the model's shape, its data, and the loop settings that vary between tests. */
export interface SmallGPTRun {
  config: Pick<GPTConfig, 'vocabSize' | 'blockSize' | 'nLayer' | 'nHead' | 'nEmbd' | 'dropout'>;
  /** Training tokens, and optional validation tokens (evaluated every `evalInterval` steps). */
  train: Int32Array;
  val?: Int32Array;
  lr: number;
  maxIters: number;
  evalInterval?: number;
  evalIters?: number;
  /** Seeds of the initial weights and of the batches. */
  seeds: [model: number, batches: number];
}

/**
 * Pretrains a GPT of `run` on backend `backend` (batches of 4 windows, AdamW with weight decay 0.1,
 * gradients clipped at 1), restoring the active backend after; test support for comparing backends.
 */
export async function trainGPTOn(
  backend: string,
  run: SmallGPTRun,
): Promise<{ model: GPT; result: TrainResult }> {
  const previous = backendName();
  setBackend(backend);
  try {
    const model = new GPT(run.config, { generator: new Generator(run.seeds[0]) });
    const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.1), { lr: run.lr });
    const result = await pretrain({
      model,
      optimizer,
      train: new TokenDataset(run.train),
      val: run.val && new TokenDataset(run.val),
      batchSize: 4,
      blockSize: run.config.blockSize,
      maxIters: run.maxIters,
      gradClip: 1,
      evalInterval: run.evalInterval,
      evalIters: run.evalIters ?? 0,
      generator: new Generator(run.seeds[1]),
    });
    return { model, result };
  } finally {
    setBackend(previous);
  }
}
