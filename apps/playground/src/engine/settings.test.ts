import { GPT_DEFAULTS } from '@proj/nn';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  gptConfigOf,
  MODEL_SIZES,
  settingsOf,
  settingsProblems,
  tokenizerLabel,
} from './settings.js';

describe('settings', () => {
  it("derive a run from the controls: proj train's model and optimizer, warmup and evaluations scaled to the run", () => {
    const s = settingsOf({
      tokenizer: { kind: 'char' },
      size: 'small',
      maxIters: 100,
      lr: 2e-3,
      batchSize: 8,
    });
    expect(s).toEqual({
      ...DEFAULT_SETTINGS,
      maxIters: 100,
      lr: 2e-3,
      batchSize: 8,
      warmupIters: 10,
      evalInterval: 20,
    });
    const long = settingsOf({
      tokenizer: { kind: 'bpe', vocabSize: 512 },
      size: 'tiny',
      maxIters: 5000,
      lr: 1e-3,
      batchSize: 12,
    });
    expect([long.warmupIters, long.evalInterval, long.model]).toEqual([50, 50, MODEL_SIZES.tiny]);
    const short = settingsOf({
      tokenizer: { kind: 'char' },
      size: 'tiny',
      maxIters: 3,
      lr: 1e-3,
      batchSize: 12,
    });
    expect([short.warmupIters, short.evalInterval]).toEqual([0, 1]);
    expect(settingsProblems(s)).toEqual([]);
  });

  it('name every problem', () => {
    const bad = {
      ...DEFAULT_SETTINGS,
      model: { nLayer: 0, nHead: 3, nEmbd: 128, blockSize: 64 },
      maxIters: 10,
      warmupIters: 10,
      lr: 0,
      batchSize: 1.5,
      tokenizer: { kind: 'bpe', vocabSize: 100 } as const,
    };
    expect(settingsProblems(bad)).toEqual([
      'nLayer must be a positive integer, got 0',
      'batchSize must be a positive integer, got 1.5',
      'nEmbd 128 is not divisible by nHead 3',
      'the learning rate must be in (0, 1), got 0',
      'warmupIters must be an integer in [0, maxIters), got 10',
      'a BPE vocabulary needs at least 256 tokens (the bytes), got 100',
    ]);
  });

  it("build proj train's GPT: no biases, no dropout, exact GELU", () => {
    expect(gptConfigOf(MODEL_SIZES.small, 65)).toEqual({
      ...GPT_DEFAULTS,
      vocabSize: 65,
      blockSize: 64,
      nLayer: 4,
      nHead: 4,
      nEmbd: 128,
      bias: false,
      dropout: 0,
      geluApproximate: 'none',
    });
    expect([tokenizerLabel({ kind: 'char' }), tokenizerLabel({ kind: 'bpe', vocabSize: 512 })]).toEqual([
      'char',
      'bpe:512',
    ]);
  });
});
