import { DatasetError } from '../data/sft-examples.js';

/**
 * A preference pair (TRL's "standard" preference format): a prompt, the completion raters
 * preferred and the one they did not, and an optional `margin` by which the preference is stronger
 * (the reward model's loss subtracts it).
 */
export interface PreferenceExample {
  prompt: string;
  chosen: string;
  rejected: string;
  margin?: number;
}

/**
 * Checks that `value` is a {@link PreferenceExample} and returns it.
 * @param where - where the value came from, for messages (`pairs.jsonl:12`, `example 3`).
 * @throws DatasetError naming `where` and the field: a missing or non-string field, an empty
 *   completion, a chosen completion identical to the rejected one, a margin that is not a finite number.
 */
export function checkPreferenceExample(value: unknown, where: string): PreferenceExample {
  const fail = (what: string): never => {
    throw new DatasetError(`${where}: ${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('expected an object with "prompt", "chosen" and "rejected"');
  const v = value as Record<string, unknown>;
  for (const field of ['prompt', 'chosen', 'rejected'] as const) {
    if (!(field in v)) fail(`"${field}" is missing`);
    if (typeof v[field] !== 'string') fail(`"${field}" must be a string, got ${JSON.stringify(v[field])}`);
  }
  const { prompt, chosen, rejected } = v as { prompt: string; chosen: string; rejected: string };
  if (chosen.length === 0 || rejected.length === 0)
    fail(`"${chosen.length === 0 ? 'chosen' : 'rejected'}" is empty`);
  if (chosen === rejected) fail('"chosen" and "rejected" are identical: the pair prefers nothing');
  if (v.margin === undefined) return { prompt, chosen, rejected };
  if (typeof v.margin !== 'number' || !Number.isFinite(v.margin))
    fail(`"margin" must be a finite number, got ${JSON.stringify(v.margin)}`);
  return { prompt, chosen, rejected, margin: v.margin as number };
}

/**
 * Parses JSON Lines of {@link PreferenceExample}s, blank lines skipped.
 * @returns the examples and the 1-based line of each.
 * @throws DatasetError naming the line of the first malformed one.
 * @example parsePreferenceJsonl('{"prompt": "Hi", "chosen": " there!", "rejected": " go away."}\n').examples;
 */
export function parsePreferenceJsonl(
  text: string,
  name = 'data.jsonl',
): { examples: PreferenceExample[]; lines: number[] } {
  const examples: PreferenceExample[] = [];
  const numbers: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.length === 0) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DatasetError(`${name}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
    examples.push(checkPreferenceExample(value, `${name}:${i + 1}`));
    numbers.push(i + 1);
  });
  if (examples.length === 0) throw new DatasetError(`${name}: no examples`);
  return { examples, lines: numbers };
}

/**
 * A preference pair as human-preference sets are made: two completions of one prompt, the
 * higher-scored one chosen. A tie (or two identical texts) prefers nothing: null, and the pair is
 * dropped.
 * @example preferencePair('The economy', [' grew.', 2], [' fell.', -2]); // { prompt, chosen: ' grew.', rejected: ' fell.' }
 */
export function preferencePair(
  prompt: string,
  [a, scoreA]: readonly [string, number],
  [b, scoreB]: readonly [string, number],
): PreferenceExample | null {
  if (scoreA === scoreB || a === b) return null;
  return scoreA > scoreB ? { prompt, chosen: a, rejected: b } : { prompt, chosen: b, rejected: a };
}
