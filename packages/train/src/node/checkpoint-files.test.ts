import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@proj/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restoreCheckpoint } from '../checkpoint/checkpoint.js';
import { CheckpointError } from '../checkpoint/errors.js';
import { TokenDataset } from '../data/token-dataset.js';
import { pretrain } from '../loop/pretrain.js';
import { Adam } from '../optim/adam.js';
import { TinyLM } from '../testing/tiny-lm.js';
import { checkpointWriter, loadCheckpoint, saveCheckpoint } from './checkpoint-files.js';
import { writeFileAtomic } from './write-atomic.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'proj-train-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const { train, val } = new TokenDataset(Int32Array.from({ length: 500 }, (_, i) => (i * 3) % 8)).split();

async function trainInto(out: string, maxIters: number, resumeFrom?: string) {
  const model = new TinyLM(8, 8, new Generator(1));
  const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
  const generator = new Generator(2);
  const resume = resumeFrom
    ? restoreCheckpoint(await loadCheckpoint(resumeFrom), {
        model,
        optimizer,
        generators: { data: generator },
      })
    : undefined;
  const checkpoint = checkpointWriter(out, {
    model,
    optimizer,
    config: { tiny: true },
    tokenizer: { type: 'test' },
  });
  const options = { model, optimizer, train, val, batchSize: 2, blockSize: 5, evalIters: 1, generator };
  return pretrain({ ...options, maxIters, checkpoint, ...(resume ? { resume } : {}) });
}

describe('@proj/train/node checkpoints', () => {
  it('writes model.safetensors, optimizer.safetensors and state.json, and resumes from them exactly', async () => {
    const full = await trainInto(join(dir, 'full'), 12);
    await trainInto(join(dir, 'part'), 6);
    expect((await readdir(join(dir, 'part'))).sort()).toEqual([
      'model.safetensors',
      'optimizer.safetensors',
      'state.json',
    ]);
    const state = JSON.parse(await readFile(join(dir, 'part', 'state.json'), 'utf8'));
    expect(state).toMatchObject({
      format: 'proj-checkpoint',
      iter: 6,
      config: { tiny: true },
      tokenizer: { type: 'test' },
    });
    const rest = await trainInto(join(dir, 'part'), 12, join(dir, 'part'));
    expect(rest.history.steps).toEqual(full.history.steps);
  });

  it('explains a missing or corrupt checkpoint', async () => {
    await expect(loadCheckpoint(join(dir, 'nope'))).rejects.toThrow(
      /no checkpoint in .*nope: state.json is missing/,
    );
    await trainInto(dir, 2);
    await writeFile(join(dir, 'state.json'), '{"format": "proj-checkpoint", "vers');
    await expect(loadCheckpoint(dir)).rejects.toThrow(CheckpointError);
    await expect(loadCheckpoint(dir)).rejects.toThrow(/state.json is not valid JSON/);
    await trainInto(dir, 2);
    await writeFile(join(dir, 'model.safetensors'), 'garbage');
    const ckpt = await loadCheckpoint(dir);
    expect(() => restoreCheckpoint(ckpt, { model: new TinyLM(8, 8, new Generator(1)) })).toThrow(
      /model.safetensors is corrupt or from another checkpoint: 7 bytes/,
    );
    await rm(join(dir, 'optimizer.safetensors'));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/optimizer.safetensors is missing/);
  });

  it('writeFileAtomic replaces the file whole and leaves no temporary file', async () => {
    const path = join(dir, 'a.txt');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, new TextEncoder().encode('new contents'));
    expect(await readFile(path, 'utf8')).toBe('new contents');
    expect(await readdir(dir)).toEqual(['a.txt']);
    await expect(writeFileAtomic(join(dir, 'missing', 'b'), 'x')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual(['a.txt']);
  });

  it('saveCheckpoint creates the directory', async () => {
    const model = new TinyLM(8, 8, new Generator(1));
    const optimizer = new Adam(model.parameters());
    const { createCheckpoint } = await import('../checkpoint/checkpoint.js');
    const progress = {
      iter: 0,
      bestValLoss: Infinity,
      history: { steps: [], evals: [] },
      generator: new Generator(0).getState(),
    };
    await saveCheckpoint(join(dir, 'x', 'y'), createCheckpoint({ model, optimizer, progress, config: {} }));
    expect((await loadCheckpoint(join(dir, 'x', 'y'))).state.bestValLoss).toBeNull();
  });
});
