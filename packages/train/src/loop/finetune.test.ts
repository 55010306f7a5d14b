import { applyLoRA, GPT, generate } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { CharTokenizer } from '@proj/tokenizers';
import { describe, expect, it } from 'vitest';
import { type Checkpoint, createCheckpoint, restoreCheckpoint } from '../checkpoint/checkpoint.js';
import { SFTDataset } from '../data/sft-dataset.js';
import { AdamW } from '../optim/adam.js';
import { decayParamGroups } from '../optim/param-groups.js';
import { type FinetuneOptions, finetune } from './finetune.js';

const EOT = '<|endoftext|>';
const letters = 'abcdefghijklmnopqrstuvwxyz';
const tokenizer = CharTokenizer.fromCorpus(`${letters}=`, { specialTokens: [EOT] });
const eot = tokenizer.specialTokens.get(EOT)!;
/** Each letter's successor, as prompt `x=` → completion `y`. */
const examples = [...letters.slice(0, -1)].map((c, i) => ({ prompt: `${c}=`, completion: letters[i + 1]! }));
const data = SFTDataset.fromExamples(examples, { tokenizer, blockSize: 8 });

function setup(dropout = 0) {
  const generator = new Generator(3);
  const model = new GPT(
    { vocabSize: tokenizer.vocabSize, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 32, dropout },
    { generator },
  );
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.01), { lr: 1e-2 });
  const options: FinetuneOptions = {
    model,
    optimizer,
    train: data,
    val: data,
    batchSize: 8,
    maxIters: 12,
    evalInterval: 4,
    evalIters: 2,
    generator: new Generator(4),
  };
  return { model, optimizer, generator, options };
}

describe('finetune', () => {
  it('learns the completions and to stop after them', async () => {
    const { model, options } = setup();
    const result = await finetune({ ...options, maxIters: 300, evalInterval: 0 });
    expect(result.finalTrainLoss).toBeLessThan(0.1);
    model.eval();
    for (const { prompt, completion } of examples.slice(0, 5)) {
      const ids = tokenizer.encode(prompt);
      const out = [...generate(model, ids, { maxNewTokens: 2, temperature: 0 }).data()].slice(ids.length);
      expect(out).toEqual([...tokenizer.encode(completion), eot]);
    }
  });

  it('resumes exactly: 8 steps + checkpoint + 4 steps give the losses and weights of 12 straight', async () => {
    const straight = setup(0.1);
    const full = await finetune(straight.options);

    const first = setup(0.1);
    let saved: Checkpoint | undefined;
    await finetune({
      ...first.options,
      maxIters: 8,
      checkpoint: (progress) =>
        void (saved = createCheckpoint({
          model: first.model,
          optimizer: first.optimizer,
          progress,
          config: { model: first.model.config },
          generators: { model: first.generator },
        })),
    });
    const second = setup(0.1);
    const state = JSON.parse(JSON.stringify(saved!.state));
    const resume = restoreCheckpoint(
      { ...saved!, state },
      {
        model: second.model,
        optimizer: second.optimizer,
        generators: { data: second.options.generator, model: second.generator },
      },
    );
    const rest = await finetune({ ...second.options, resume });
    expect(rest.history).toEqual(full.history);
    expect(second.model.stateDict()['transformer.h.0.attn.c_attn.weight']!.toArray()).toEqual(
      straight.model.stateDict()['transformer.h.0.attn.c_attn.weight']!.toArray(),
    );
  });

  it('trains only the LoRA adapters when they are applied', async () => {
    const { model, options } = setup();
    applyLoRA(model, { r: 2, alpha: 4, targetModules: ['c_attn'], generator: new Generator(5) });
    const values = () =>
      Object.fromEntries(
        Object.entries(model.stateDict()).map(([name, t]) => [name, JSON.stringify(t.toArray())]),
      );
    const before = values(); // copies: stateDict() shares the parameters' storage
    const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.01), { lr: 1e-2 });
    await finetune({ ...options, optimizer, maxIters: 3 });
    for (const [name, value] of Object.entries(values())) {
      const changed = value !== before[name];
      expect({ name, changed }).toEqual({ name, changed: name.includes('lora_') });
    }
  });

  it('refuses validation examples fitted to another context', async () => {
    const { options } = setup();
    const val = SFTDataset.fromExamples(examples, { tokenizer, blockSize: 6 });
    await expect(finetune({ ...options, val })).rejects.toThrow(
      'finetune: the val examples are fitted to a context of 6, not 8',
    );
  });
});
