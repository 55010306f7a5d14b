import { applyLoRA, GPT, GPTRewardModel, trainableParameters } from '@proj/nn';
import { Generator, registerBackend, setBackend, backendName } from '@proj/tensor';
import { createEmulatedDeviceBackend } from '@proj/tensor/testing';
import { CharTokenizer } from '@proj/tokenizers';
import { describe, expect, it } from 'vitest';
import { SFTDataset } from '../data/sft-dataset.js';
import { finetune } from '../loop/finetune.js';
import { AdamW } from '../optim/adam.js';
import { dpo } from './dpo.js';
import { PreferenceDataset } from './preference-dataset.js';
import { trainRewardModel } from './reward-trainer.js';

registerBackend(createEmulatedDeviceBackend({ name: 'emu' }));
const EOT = '<|endoftext|>';
const chars = CharTokenizer.fromCorpus('abcdx=', { specialTokens: [EOT] });
const config = { vocabSize: chars.vocabSize, blockSize: 12, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0.1 };
const pairs = Array.from({ length: 16 }, (_, i) => ({ prompt: 'cd'[i % 2]! + 'x', chosen: 'aa', rejected: 'bb' }));
const prefs = PreferenceDataset.fromExamples(pairs, { tokenizer: chars, blockSize: 12 });
const sft = SFTDataset.fromExamples(pairs.map((p) => ({ prompt: p.prompt, completion: p.chosen })), { tokenizer: chars, blockSize: 12 });

async function on<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const prev = backendName();
  setBackend(name);
  try { return await fn(); } finally { setBackend(prev); }
}
const loop = { batchSize: 4, maxIters: 3, evalInterval: 2, evalIters: 1, gradClip: 1 };

describe.each(['js', 'emu'])('%s', (b) => {
  it('finetune', async () => on(b, async () => {
    const model = new GPT(config, { generator: new Generator(1) });
    const r = await finetune({ model, optimizer: new AdamW(model.parameters(), { lr: 1e-2 }), train: sft, val: sft, generator: new Generator(2), ...loop });
    console.log(b, 'sft', r.history.steps);
  }));
  it('finetune lora', async () => on(b, async () => {
    const model = new GPT(config, { generator: new Generator(1) });
    applyLoRA(model, { r: 2, alpha: 4, dropout: 0.1, targetModules: ['c_attn'], generator: new Generator(5) });
    const r = await finetune({ model, optimizer: new AdamW(trainableParameters(model).parameters ?? model.parameters().filter(p=>p.requiresGrad), { lr: 1e-2 }), train: sft, val: sft, generator: new Generator(2), ...loop });
    console.log(b, 'lora', r.history.steps);
  }));
  it('reward', async () => on(b, async () => {
    const model = new GPTRewardModel(config, { generator: new Generator(1) });
    const r = await trainRewardModel({ model, optimizer: new AdamW(model.parameters(), { lr: 1e-2 }), train: prefs, val: prefs, generator: new Generator(2), ...loop });
    console.log(b, 'rm', r.history.steps, r.history.stepMetrics);
  }));
  it('dpo', async () => on(b, async () => {
    const model = new GPT(config, { generator: new Generator(1) });
    const reference = new GPT(config, { generator: new Generator(1) });
    const r = await dpo({ model, reference, optimizer: new AdamW(model.parameters(), { lr: 1e-2 }), train: prefs, val: prefs, generator: new Generator(2), ...loop });
    console.log(b, 'dpo', r.history.steps, r.history.stepMetrics);
  }));
});
