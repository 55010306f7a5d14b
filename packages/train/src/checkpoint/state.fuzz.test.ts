import { GPT } from '@proj/nn';
import { Generator } from '@proj/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdamW } from '../optim/adam.js';
import { decayParamGroups } from '../optim/param-groups.js';
import { type Checkpoint, createCheckpoint, restoreCheckpoint } from './checkpoint.js';
import { CheckpointError } from './errors.js';
import { type CheckpointState, parseCheckpointState, serializeCheckpointState } from './state.js';
import { verifyCheckpoint } from './verify.js';

/** fast-check runs per property: small in the normal suite, large under `pnpm fuzz`. */
const RUNS = Number(process.env.PROJ_FUZZ_RUNS ?? 150);

function gptCheckpoint(): Checkpoint {
  const generator = new Generator(3, { algorithm: 'torch' });
  const model = new GPT(
    { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8, bias: false },
    { generator },
  );
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.1));
  const progress = {
    iter: 4,
    bestValLoss: 2.25,
    history: {
      steps: [0, 1, 2, 3].map((i): [number, number] => [i, 2.5 - i / 10]),
      evals: [[0, 2.5, 2.6]] as [number, number, number][],
    },
    generator: generator.getState(),
    nextBatch: [1, 5, 9],
  };
  const tokenizer = { type: 'char', alphabet: [...'abcdefghijk'], specialTokens: [] };
  const config = { model: model.config, train: { lr: 1e-3 }, data: { tokens: 100 } };
  return createCheckpoint({
    model,
    optimizer,
    progress,
    config,
    tokenizer,
    generators: { dropout: new Generator(5) },
  });
}

const ckpt = gptCheckpoint();
const text = serializeCheckpointState(ckpt.state);

/**
 * What a program does with a checkpoint: parse the state, check it against the weights, build the
 * model from `config.model` and restore everything. Returns normally, or throws CheckpointError.
 */
function openAndRestore(stateText: string): void {
  const state = parseCheckpointState(stateText);
  verifyCheckpoint({ ...ckpt, state });
  const model = new GPT(state.config.model as object);
  const optimizer = new AdamW(decayParamGroups(model.namedParameters(), 0.1));
  restoreCheckpoint(
    { ...ckpt, state },
    { model, optimizer, generators: { data: new Generator(0), dropout: new Generator(0) } },
  );
}

function expectLoadsOrCheckpointError(stateText: string): void {
  try {
    openAndRestore(stateText);
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
  }
}

/** Every path into `value` (object keys and array indices; long arrays by a few indices only). */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys: (string | number)[] = Array.isArray(value)
    ? [0, 1, value.length - 1].filter((i, k, all) => i >= 0 && all.indexOf(i) === k)
    : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string, unknown>)[k], [...prefix, k]))];
}

const statePaths = paths(JSON.parse(text)).filter((p) => p.length > 0 && p[0] !== 'digest');

describe('state.json, mutated (fuzz)', () => {
  it('the unmutated text loads', () => {
    openAndRestore(text);
  });

  it('edited characters: loads (only if the values are unchanged) or throws CheckpointError', () => {
    const edit = fc.record({
      at: fc.nat({ max: text.length - 1 }),
      remove: fc.nat({ max: 8 }),
      insert: fc.string({ maxLength: 8 }),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let mutated = text;
        for (const { at, remove, insert } of edits)
          mutated = mutated.slice(0, at) + insert + mutated.slice(at + remove);
        try {
          openAndRestore(mutated);
        } catch (error) {
          if (!(error instanceof CheckpointError)) throw error;
          return;
        }
        expect(JSON.parse(mutated)).toEqual(JSON.parse(text)); // accepted: only whitespace changed
      }),
      { numRuns: RUNS },
    );
  });

  it('any field replaced or removed, and the digest signed again: loads or throws CheckpointError', () => {
    const replacement = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(-1, 0, 1e9, 2 ** 32, 1e308, -0.5, 0.5, '', null, [], {}),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...statePaths),
        fc.option(replacement, { nil: undefined }),
        (path, value) => {
          const state = JSON.parse(text);
          const parent = path.slice(0, -1).reduce((o, k) => o[k], state);
          const key = path.at(-1)!;
          if (value === undefined) delete parent[key];
          else parent[key] = value;
          expectLoadsOrCheckpointError(serializeCheckpointState(state as CheckpointState));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
