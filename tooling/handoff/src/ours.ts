import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GPT, type GPTConfig, loadGPT2Pretrained } from '@proj/nn';
import { tensor } from '@proj/tensor';
import { type Tokenizer, tokenizerFromHuggingFace } from '@proj/tokenizers';
import { estimateLoss, restoreCheckpoint, TokenDataset } from '@proj/train';
import { loadCheckpoint } from '@proj/train/node';

/** The model of a `proj train` run, read through the checkpoint API, with its training losses. */
export async function loadRun(dir: string): Promise<{ model: GPT; steps: [number, number][] }> {
  const checkpoint = await loadCheckpoint(dir);
  const model = new GPT((checkpoint.state.config as { model: Partial<GPTConfig> }).model);
  const { history } = restoreCheckpoint(checkpoint, { model });
  return { model: model.eval(), steps: history.steps };
}

/** The model and tokenizer of a Hugging Face GPT-2 folder, as proj reads it. */
export async function loadFolder(dir: string): Promise<{ model: GPT; tokenizer: Tokenizer }> {
  const { model } = loadGPT2Pretrained({
    weights: new Uint8Array(await readFile(join(dir, 'model.safetensors'))),
    config: await readFile(join(dir, 'config.json'), 'utf8'),
  });
  const tokenizer = tokenizerFromHuggingFace(await readFile(join(dir, 'tokenizer.json'), 'utf8'));
  return { model: model.eval(), tokenizer };
}

/** Logits `[T · V]` of one sequence. */
export function logitsOf(model: GPT, ids: readonly number[]): Float32Array | Float64Array {
  return model.forward(tensor([[...ids]], { dtype: 'int32' })).logits.data.data() as Float32Array;
}

/** Largest `|a − b|`. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? worst : Number.POSITIVE_INFINITY;
}

/** Options of {@link fixedValLoss}: the evaluation windows ddp_continue.py uses too. */
export interface FixedEvalOptions {
  batchSize: number;
  evalIters: number;
}

/**
 * Mean loss over the validation split's fixed evaluation windows (`TokenDataset.evalBatch`, the last
 * 10% of the corpus), the same windows ddp_continue.py measures before and after training.
 */
export function fixedValLoss(model: GPT, tokenizer: Tokenizer, corpus: string, o: FixedEvalOptions): number {
  const { val } = new TokenDataset(Int32Array.from(tokenizer.encode(corpus))).split(0.9);
  return estimateLoss(model, val, { ...o, blockSize: model.config.blockSize });
}
