import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GPT, GPT_DEFAULTS, generate } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { deserializeTokenizer } from '@proj/tokenizers';
import { restoreCheckpoint, type TrainEvent } from '@proj/train';
import { loadCheckpoint, saveCheckpoint } from '@proj/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointDownloads, type PickedFile, readPickedCheckpoint } from './checkpoint-files.js';
import { PlaygroundSession } from './session.js';
import { DEFAULT_SETTINGS, MODEL_SIZES, type TrainSettings } from './settings.js';

const text = 'First Citizen: Before we proceed any further, hear me speak. All: Speak, speak. '.repeat(60);
const settings: TrainSettings = {
  ...DEFAULT_SETTINGS,
  model: { ...MODEL_SIZES.tiny, blockSize: 16 },
  maxIters: 40,
  warmupIters: 5,
  lr: 3e-3,
  batchSize: 8,
  evalInterval: 20,
  evalIters: 4,
};
const never = { aborted: false };

async function run(session: PlaygroundSession, s: TrainSettings, fresh: boolean): Promise<TrainEvent[]> {
  const events: TrainEvent[] = [];
  for await (const e of session.train(s, fresh, never)) events.push(e);
  return events;
}

/** The files under `dir` as the page gets them from a folder picker (paths under the folder's name). */
async function picked(dir: string): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path: `run/${relative(dir, path)}`, bytes: async () => new Uint8Array(await readFile(path)) });
  }
  return out;
}

describe('PlaygroundSession', () => {
  const session = new PlaygroundSession();
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'playground-'));
    session.setCorpus({ name: 'citizens', text });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('trains as proj train does: the loss drops and evaluations report train and val loss', async () => {
    const events = await run(session, settings, true);
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.map((e) => e.iter)).toEqual([...Array(40).keys()]);
    expect(steps.at(-1)!.loss).toBeLessThan(steps[0]!.loss * 0.7);
    const evals = events.filter((e) => e.type === 'eval');
    expect(evals.map((e) => e.iter)).toEqual([0, 20, 40]);
    expect(evals.at(-1)!.valLoss).toBeLessThan(evals[0]!.valLoss);
    expect(session.info()).toMatchObject({ iter: 40, tokenizer: 'char', origin: 'trained on citizens' });
  });

  it('streams the tokens generate samples, and the same seed gives the same text', () => {
    const request = { prompt: 'First', maxNewTokens: 30, temperature: 0.8, topK: 200, seed: 7 };
    const partial: string[] = [];
    const full = session.sample(request, (completion) => partial.push(completion));
    expect(partial).toHaveLength(30);
    expect(full).toBe(`First${partial.at(-1)}`);
    expect(partial.every((p, i) => i === 0 || p.startsWith(partial[i - 1]!))).toBe(true);
    expect(session.sample(request, () => {})).toBe(full);
    expect(() => session.sample({ ...request, prompt: 'Zebra' }, () => {})).toThrow(
      /cannot encode the prompt/,
    );
    // a paused run's model goes on training after a sample (dropout back on)
    const model = (session as unknown as { model: GPT }).model.train();
    session.sample(request, () => {});
    session.attention('First');
    expect(model.training).toBe(true);
  });

  it("shows every layer's and head's causal attention over the last blockSize tokens", () => {
    const maps = session.attention('All: Speak, speak. First Citizen');
    expect(maps.tokens.join('')).toBe('speak. First Citizen'.padStart(16, ' ').slice(-16));
    expect(maps.nHead).toBe(2);
    expect(maps.layers).toHaveLength(2);
    const T = 16;
    for (const layer of maps.layers) {
      expect(layer).toHaveLength(2 * T * T);
      for (let row = 0; row < 2 * T; row++) {
        const q = row % T;
        const weights = layer.subarray(row * T, (row + 1) * T);
        expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(weights.subarray(q + 1).every((w) => w === 0)).toBe(true);
      }
    }
  });

  it('saves a checkpoint that loadCheckpoint reads (the flat layout) and that samples the same', async () => {
    const files = checkpointDownloads(session.exportCheckpoint());
    const flat = join(dir, 'flat');
    await rm(flat, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(flat));
    for (const f of files) await writeFile(join(flat, f.name), f.bytes);
    const ckpt = await loadCheckpoint(flat);
    expect(ckpt.state.iter).toBe(40);
    const config = { ...GPT_DEFAULTS, ...(ckpt.state.config.model as object) };
    const model = new GPT(config);
    restoreCheckpoint(ckpt, { model });
    const tokenizer = deserializeTokenizer(ckpt.state.tokenizer);
    const ids = generate(model.eval(), tokenizer.encode('First'), {
      maxNewTokens: 30,
      temperature: 0.8,
      topK: config.vocabSize,
      generator: new Generator(7),
    });
    const request = { prompt: 'First', maxNewTokens: 30, temperature: 0.8, topK: 200, seed: 7 };
    expect(tokenizer.decode(ids.data())).toBe(session.sample(request, () => {}));
  });

  it("loads a run's folder (pointer layout), continues its curve and trains on from its step", async () => {
    const saved = session.exportCheckpoint();
    const runDir = join(dir, 'run');
    const ckpt = await loadCheckpoint(join(dir, 'flat'));
    await saveCheckpoint(runDir, { ...ckpt, dir: undefined });
    const other = new PlaygroundSession();
    other.setCorpus({ name: 'citizens', text });
    const info = other.loadCheckpoint(await readPickedCheckpoint(await picked(runDir)));
    expect(info.iter).toBe(40);
    expect(info.origin).toMatch(/^loaded from run\/ckpt-00000040-[0-9a-f]{8}$/);
    expect(info.history.steps).toHaveLength(40);
    const request = { prompt: 'All', maxNewTokens: 20, temperature: 0, topK: 200, seed: 1 };
    expect(other.sample(request, () => {})).toBe(session.sample(request, () => {}));
    expect(other.exportCheckpoint().model).toEqual(saved.model);
    const events = await run(other, { ...settings, maxIters: 50, batchSize: 4 }, false); // a new batch size
    expect(events.filter((e) => e.type === 'step').map((e) => e.iter)).toEqual(
      [...Array(10).keys()].map((i) => i + 40),
    );
    expect(other.info()!.history.steps).toHaveLength(50);
    await expect(run(other, { ...settings, maxIters: 50 }, false)).rejects.toThrow(
      /trained 50 steps already/,
    );
  });

  it('stops when asked, keeping what it trained for a save', async () => {
    const stopped = new PlaygroundSession();
    stopped.setCorpus({ name: 'citizens', text });
    const signal = { aborted: false };
    let steps = 0;
    for await (const e of stopped.train(settings, true, signal))
      if (e.type === 'step' && ++steps === 5) signal.aborted = true;
    expect(steps).toBe(5);
    expect(stopped.info()!.iter).toBe(5);
    expect(stopped.exportCheckpoint().state).toMatch(/"iter": 5,/);
  });

  it('names what is missing or wrong', async () => {
    const empty = new PlaygroundSession();
    expect(() => empty.tokenizerFor({ kind: 'char' })).toThrow(/choose a corpus first/);
    expect(() => empty.setCorpus({ name: 'x', text: '' })).toThrow(/the corpus x is empty/);
    empty.setCorpus({ name: 'short', text: 'abc'.repeat(20) });
    expect(() =>
      empty.sample({ prompt: 'a', maxNewTokens: 1, temperature: 1, topK: 1, seed: 0 }, () => {}),
    ).toThrow(/no model yet/);
    expect(() => empty.train(settings, true, never)).toThrow(/too short: its validation tenth has 6 tokens/);
    await expect(readPickedCheckpoint([])).rejects.toThrow(/no checkpoint among the picked files/);
  });
});
