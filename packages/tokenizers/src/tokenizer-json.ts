import { TokenizerError } from './errors.js';

/** A `tokenizer.json` given as text or parsed, as an object. @throws TokenizerError for bad JSON. */
export function parseTokenizerJSON<T>(json: string | T): T {
  if (typeof json !== 'string') return json;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new TokenizerError(`tokenizer.json is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TokenizerError('tokenizer.json must hold a JSON object');
  return value as T;
}

/** A special token's `added_tokens` entry, matched as written (not normalized, no stripping). */
export function specialAddedToken(content: string, id: number) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}
