import type { GeneratorState } from '@proj/tensor';
import type { LossHistory } from '../loop/events.js';
import { CheckpointError } from './errors.js';
import type { CheckpointState } from './state.js';

const UINT32_LIMIT = 2 ** 32;
/** mt19937 state words in a `'torch'` generator state. */
const MT_WORDS = 624;

/** A JSON value shortened for an error message. */
function preview(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isLoss = (v: unknown): boolean => v === null || typeof v === 'number';

/**
 * Checks every field of a parsed `state.json` (types, ranges, and the iterations in the history
 * against `iter`) and returns it as a {@link CheckpointState}, losses written as `null` read as NaN.
 * @throws CheckpointError naming `file` and the field.
 */
export function validateCheckpointState(value: unknown, file: string): CheckpointState {
  const fail = (field: string, what: string, got: unknown): never => {
    throw new CheckpointError(`${file}: "${field}" ${what}, got ${preview(got)}`);
  };
  if (!isObject(value) || value.format !== 'proj-checkpoint')
    throw new CheckpointError(`${file} is not a proj checkpoint (no "format": "proj-checkpoint")`);
  const s = value;
  if (s.version !== 1 && s.version !== 2) fail('version', 'must be 1 or 2', s.version);
  if (!isCount(s.iter)) fail('iter', 'must be an integer >= 0', s.iter);
  const iter = s.iter as number;
  if (!(s.bestValLoss === null || Number.isFinite(s.bestValLoss)))
    fail('bestValLoss', 'must be a finite number or null', s.bestValLoss);
  if (!isObject(s.config)) fail('config', 'must be an object', s.config);
  if (!('tokenizer' in s)) fail('tokenizer', 'must be present (null when there is none)', undefined);
  if (!isObject(s.rng)) fail('rng', 'must be an object of generator states', s.rng);
  for (const [name, state] of Object.entries(s.rng as object))
    checkGeneratorState(`rng.${name}`, state, fail);
  const next = s.nextBatch;
  if (next !== undefined && next !== null && !(Array.isArray(next) && next.length > 0 && next.every(isCount)))
    fail('nextBatch', 'must be null or a non-empty list of offsets (integers >= 0)', next);
  const history = checkHistory(s.history, iter, fail);
  const files = s.files;
  if (!isObject(files)) fail('files', 'must be an object', files);
  for (const key of ['model', 'optimizer'] as const) {
    const d = (files as Record<string, unknown>)[key];
    if (!isObject(d) || !isCount(d.bytes) || typeof d.fnv1a !== 'string' || !/^[0-9a-f]{8}$/.test(d.fnv1a))
      fail(`files.${key}`, 'must be { "bytes": <integer>, "fnv1a": <8 hex digits> }', d);
  }
  return { ...(s as unknown as CheckpointState), history };
}

type Fail = (field: string, what: string, got: unknown) => never;

function checkGeneratorState(field: string, state: unknown, fail: Fail): asserts state is GeneratorState {
  if (!isObject(state)) fail(field, 'must be a generator state object', state);
  const g = state as Record<string, unknown>;
  const words = g.words;
  if (g.algorithm === 'torch') {
    if (
      !(
        Array.isArray(words) &&
        words.length === MT_WORDS &&
        words.every((w) => isCount(w) && w < UINT32_LIMIT)
      )
    )
      fail(`${field}.words`, `must be ${MT_WORDS} integers in [0, 2^32)`, words);
    if (!(Number.isInteger(g.index) && (g.index as number) >= 0 && (g.index as number) <= MT_WORDS))
      fail(`${field}.index`, `must be an integer in [0, ${MT_WORDS}]`, g.index);
  } else if (g.algorithm === undefined || g.algorithm === 'xoshiro128**') {
    const word = (w: unknown) =>
      Number.isInteger(w) && (w as number) >= -(2 ** 31) && (w as number) < UINT32_LIMIT;
    if (!(Array.isArray(words) && words.length === 4 && words.every(word)))
      fail(`${field}.words`, 'must be 4 32-bit integers', words);
  } else fail(`${field}.algorithm`, "must be 'torch' or 'xoshiro128**'", g.algorithm);
  // an all-zero state is a fixed point of both generators: it would draw 0 forever
  if ((words as number[]).every((w) => w === 0)) fail(`${field}.words`, 'must not be all zero', words);
  if (!(g.spareNormal === null || Number.isFinite(g.spareNormal)))
    fail(`${field}.spareNormal`, 'must be a finite number or null', g.spareNormal);
}

function checkHistory(value: unknown, iter: number, fail: Fail): LossHistory {
  if (!isObject(value)) fail('history', 'must be { "steps": [...], "evals": [...] }', value);
  const h = value as Record<string, unknown>;
  const entries = (key: 'steps' | 'evals', width: number, lastIter: number): number[][] => {
    const list = h[key];
    if (!Array.isArray(list)) fail(`history.${key}`, 'must be a list', list);
    return (list as unknown[]).map((entry, i) => {
      const ok =
        Array.isArray(entry) &&
        entry.length === width &&
        isCount(entry[0]) &&
        entry[0] <= lastIter &&
        entry.slice(1).every(isLoss);
      if (!ok)
        fail(
          `history.${key}[${i}]`,
          `must be [iteration <= ${lastIter}${', loss'.repeat(width - 1)}] (losses as numbers or null)`,
          entry,
        );
      return (entry as (number | null)[]).map((v) => v ?? Number.NaN);
    });
  };
  const history: LossHistory = {
    steps: entries('steps', 2, iter - 1) as [number, number][],
    evals: entries('evals', 3, iter) as [number, number, number][],
  };
  const metrics = (key: 'stepMetrics' | 'evalMetrics', lastIter: number) => {
    const list = h[key];
    if (!Array.isArray(list)) fail(`history.${key}`, 'must be a list', list);
    return (list as unknown[]).map((entry, i): [number, Record<string, number>] => {
      const values = Array.isArray(entry) ? entry[1] : undefined;
      const ok =
        Array.isArray(entry) &&
        entry.length === 2 &&
        isCount(entry[0]) &&
        entry[0] <= lastIter &&
        isObject(values) &&
        Object.values(values).every(isLoss);
      if (!ok)
        fail(
          `history.${key}[${i}]`,
          `must be [iteration <= ${lastIter}, { name: number or null, … }]`,
          entry,
        );
      const read = Object.entries(values as object).map(([k, v]) => [k, v ?? Number.NaN]);
      return [entry[0] as number, Object.fromEntries(read)];
    });
  };
  if ('stepMetrics' in h) history.stepMetrics = metrics('stepMetrics', iter - 1);
  if ('evalMetrics' in h) history.evalMetrics = metrics('evalMetrics', iter);
  return history;
}
