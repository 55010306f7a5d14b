import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCheckpoint, restoreCheckpoint } from '../checkpoint/checkpoint.js';
import { CheckpointError } from '../checkpoint/errors.js';
import { TokenDataset } from '../data/token-dataset.js';
import { pretrain } from '../loop/pretrain.js';
import { Adam } from '../optim/adam.js';
import { TinyLM } from '../testing/tiny-lm.js';
import { checkpointWriter, loadCheckpoint, saveCheckpoint } from './checkpoint-files.js';
import { writeFileAtomic } from './write-atomic.js';

/** Parsed state.json that a test edits, putting values of any type anywhere. */
// biome-ignore lint/suspicious/noExplicitAny: the edits write deliberately wrong types
type StateJson = Record<string, any>;

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

/** The folder holding the current checkpoint's files (the one `checkpoint.json` names, or `out`). */
async function currentFolder(out: string): Promise<string> {
  const pointer = join(out, 'checkpoint.json');
  return existsSync(pointer) ? join(out, JSON.parse(await readFile(pointer, 'utf8')).current) : out;
}

/** Edits the current `state.json` as JSON, leaving everything else (its digest included) as it was. */
async function editState(out: string, edit: (state: Record<string, unknown>) => void): Promise<void> {
  const path = join(await currentFolder(out), 'state.json');
  const state = JSON.parse(await readFile(path, 'utf8'));
  edit(state);
  await writeFile(path, JSON.stringify(state, null, 1));
}

/** Where a run stands after `iter` steps, as the loop reports it to a checkpoint writer. */
function progressAt(iter: number, bestValLoss = 2) {
  return { iter, bestValLoss, history: { steps: [], evals: [] }, generator: new Generator(3).getState() };
}

/** A checkpoint written by the previous version: files directly in `out`, version 1, no digest. */
async function writeFlatCheckpoint(out: string, model: TinyLM, optimizer: Adam, iter: number) {
  const progress = progressAt(iter);
  const ckpt = createCheckpoint({ model, optimizer, progress, config: { tiny: true } });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'model.safetensors'), ckpt.model);
  await writeFile(join(out, 'optimizer.safetensors'), ckpt.optimizer);
  await writeFile(join(out, 'state.json'), JSON.stringify({ ...ckpt.state, version: 1 }, null, 1));
}

describe('@proj/train/node checkpoints', () => {
  it('writes a checkpoint folder named by checkpoint.json, and resumes from it exactly', async () => {
    const full = await trainInto(join(dir, 'full'), 12);
    await trainInto(join(dir, 'part'), 6);
    const entries = (await readdir(join(dir, 'part'))).sort();
    expect(entries).toEqual(['checkpoint.json', expect.stringMatching(/^ckpt-00000006-[0-9a-f]{8}$/)]);
    const folder = await currentFolder(join(dir, 'part'));
    expect((await readdir(folder)).sort()).toEqual([
      'model.safetensors',
      'optimizer.safetensors',
      'state.json',
    ]);
    const state = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8'));
    expect(state).toMatchObject({
      format: 'proj-checkpoint',
      version: 2,
      iter: 6,
      config: { tiny: true },
      tokenizer: { type: 'test' },
      digest: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
    const rest = await trainInto(join(dir, 'part'), 12, join(dir, 'part'));
    expect(rest.history.steps).toEqual(full.history.steps);
    expect((await readdir(join(dir, 'part'))).sort()).toEqual([
      'checkpoint.json',
      expect.stringMatching(/^ckpt-00000012-[0-9a-f]{8}$/),
    ]);
  });

  it('explains a missing or corrupt checkpoint, naming the file', async () => {
    await expect(loadCheckpoint(join(dir, 'nope'))).rejects.toThrow(
      /no checkpoint in .*nope: state.json is missing/,
    );
    await trainInto(dir, 2);
    const folder = await currentFolder(dir);
    await writeFile(join(folder, 'state.json'), '{"format": "proj-checkpoint", "vers');
    await expect(loadCheckpoint(dir)).rejects.toThrow(CheckpointError);
    await expect(loadCheckpoint(dir)).rejects.toThrow(/ckpt-00000002-\w+\/state.json is not valid JSON/);
    await trainInto(dir, 2);
    await writeFile(join(await currentFolder(dir), 'model.safetensors'), 'garbage');
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      /ckpt-\w+-\w+\/model.safetensors is corrupt or from another checkpoint: 7 bytes/,
    );
    await trainInto(dir, 2);
    await rm(join(await currentFolder(dir), 'optimizer.safetensors'));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/optimizer.safetensors is missing/);
    await writeFile(join(dir, 'checkpoint.json'), '{"format": "proj-checkpoint-pointer", "current": "../x"}');
    await expect(loadCheckpoint(dir)).rejects.toThrow(/checkpoint.json is corrupt/);
  });

  it('detects hand edits and corruption of state.json: the iteration, a generator word, the tokenizer', async () => {
    const edits: ((s: StateJson) => void)[] = [
      (s) => void (s.iter = 1),
      (s) => void (s.rng.data.words[2] ^= 1 << 7),
      (s) => void (s.tokenizer.type = 'tEst'),
      (s) => void (s.bestValLoss = 0.5),
    ];
    for (const edit of edits) {
      await trainInto(dir, 3);
      await loadCheckpoint(dir);
      await editState(dir, edit);
      await expect(loadCheckpoint(dir)).rejects.toThrow(CheckpointError);
      await expect(loadCheckpoint(dir)).rejects.toThrow(/state.json was edited or is corrupt/);
    }
  });

  it('checks every field of state.json and the model config against the weights before building anything', async () => {
    const model = new GPT(
      { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 },
      { generator: new Generator(0) },
    );
    const optimizer = new Adam(model.parameters());
    const progress = progressAt(3);
    const save = () =>
      saveCheckpoint(dir, createCheckpoint({ model, optimizer, progress, config: { model: model.config } }));
    const cases: [(s: StateJson) => void, RegExp][] = [
      [(s) => void (s.bestValLoss = 'abc'), /"bestValLoss" must be a finite number or null, got "abc"/],
      [(s) => void (s.iter = -2), /"iter" must be an integer >= 0/],
      [(s) => void (s.rng.data = 'garbage'), /"rng.data" must be a generator state object/],
      [(s) => void s.rng.data.words.pop(), /"rng.data.words" must be 4 32-bit integers/],
      [(s) => void (s.rng.data.algorithm = 'mt'), /"rng.data.algorithm" must be 'torch' or 'xoshiro128\*\*'/],
      [(s) => void (s.history = { steps: 'x' }), /"history.steps" must be a list/],
      [(s) => void (s.history.steps = [[7, 1.5]]), /"history.steps\[0\]" must be \[iteration <= 2, loss\]/],
      [(s) => void (s.nextBatch = [1, -4]), /"nextBatch" must be null or a non-empty list of offsets/],
      [(s) => void (s.files.model.bytes = '12'), /"files.model" must be/],
      [
        (s) => void (s.config.model.nLayer = 1e9),
        /"config.model.nLayer" is 1000000000, .*model.safetensors has 2 blocks/,
      ],
      [
        (s) => void (s.config.model.nEmbd = 16),
        /"config.model" \(vocabSize, nEmbd\) says transformer.wte.weight is \[11, 16\], .* has \[11, 8\]/,
      ],
      [(s) => void (s.config.model.blockSize = 2 ** 28), /transformer.wpe.weight is \[268435456, 8\]/],
      [(s) => void (s.config.model.nHead = 3), /"config.model.nEmbd" 8 is not divisible by nHead 3/],
      [(s) => void (s.config.model.bias = 'yes'), /"config.model.bias" must be true or false/],
      [(s) => void (s.config.model = 7), /"config.model" must be a GPT config object/],
    ];
    for (const [edit, message] of cases) {
      await save();
      await editState(dir, (s) => {
        edit(s);
        s.version = 1; // as if written before digests: only the values can tell
        delete s.digest;
      });
      const error = await loadCheckpoint(dir).catch((e: unknown) => e);
      expect(error, String(message)).toBeInstanceOf(CheckpointError);
      expect((error as Error).message).toMatch(/ckpt-\w+-\w+\/state.json: /);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('refuses to write a checkpoint that would not load, keeping the previous one', async () => {
    const model = new TinyLM(8, 8, new Generator(1));
    const optimizer = new Adam(model.parameters());
    const ckpt = createCheckpoint({ model, optimizer, progress: progressAt(1), config: {} });
    await saveCheckpoint(dir, ckpt);
    const mixed = {
      ...createCheckpoint({ model, optimizer, progress: progressAt(2), config: {} }),
      model: new Uint8Array(8),
    };
    await expect(saveCheckpoint(dir, mixed)).rejects.toThrow(
      /model.safetensors is corrupt or from another checkpoint/,
    );
    expect((await loadCheckpoint(dir)).state.iter).toBe(1);
  });

  it('refuses to checkpoint non-finite weights, keeping the previous checkpoint', async () => {
    const model = new TinyLM(8, 8, new Generator(1));
    const optimizer = new Adam(model.parameters());
    const progress = progressAt(1);
    const write = checkpointWriter(dir, { model, optimizer, config: {} });
    await write(progress);
    model.head.weight.data.storage[5] = Number.NaN;
    await expect(write({ ...progress, iter: 2 })).rejects.toThrow(
      /refusing to checkpoint non-finite weights: head.weight holds NaN at index 5/,
    );
    expect((await loadCheckpoint(dir)).state.iter).toBe(1);
  });

  it('loads the flat layout of older versions, and the next save moves to a checkpoint folder', async () => {
    const model = new TinyLM(8, 8, new Generator(1));
    const optimizer = new Adam(model.parameters());
    await writeFlatCheckpoint(dir, model, optimizer, 4);
    await writeFile(join(dir, 'metrics.json'), '{}');
    const old = await loadCheckpoint(dir);
    expect(old.state.iter).toBe(4);
    restoreCheckpoint(old, {
      model: new TinyLM(8, 8, new Generator(9)),
      optimizer: new Adam(model.parameters()),
    });
    const progress = progressAt(5);
    await checkpointWriter(dir, { model, optimizer, config: {} })(progress);
    expect((await readdir(dir)).sort()).toEqual([
      'checkpoint.json',
      expect.stringMatching(/^ckpt-00000005-/),
      'metrics.json',
    ]);
    expect((await loadCheckpoint(dir)).state.iter).toBe(5);
  });

  it('removes what killed saves left behind, and nothing else', async () => {
    await trainInto(dir, 2);
    const current = await currentFolder(dir);
    await mkdir(join(dir, 'ckpt-00000009-0badf00d')); // a save killed before it named its folder
    await writeFile(join(dir, 'ckpt-00000009-0badf00d', 'model.safetensors'), 'partial');
    await writeFile(join(dir, 'checkpoint.json.tmp-123-89abcdef'), '{"form');
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await mkdir(join(dir, 'ckpt-mine'));
    expect((await loadCheckpoint(dir)).state.iter).toBe(2);
    await trainInto(dir, 3);
    const entries = (await readdir(dir)).sort();
    expect(entries).toEqual([
      'checkpoint.json',
      expect.stringMatching(/^ckpt-00000003-/),
      'ckpt-mine',
      'notes.txt',
    ]);
    expect(existsSync(current)).toBe(false);
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
    const progress = progressAt(0, Infinity);
    await saveCheckpoint(join(dir, 'x', 'y'), createCheckpoint({ model, optimizer, progress, config: {} }));
    expect((await loadCheckpoint(join(dir, 'x', 'y'))).state.bestValLoss).toBeNull();
  });
});
