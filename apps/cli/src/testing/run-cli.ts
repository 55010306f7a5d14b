import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../cli.js';
import type { Io } from '../io.js';

/** An {@link Io} that records what the CLI writes. */
export function capture(isTTY = false): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY, columns: 100 },
    stderr: { write: (s: string) => (err += s) },
    out: () => out,
    err: () => err,
  };
}

/** Runs `proj <argv>` in this process; resolves with the exit code and what it printed. */
export async function runCli(
  argv: string[],
  isTTY = false,
): Promise<{ code: number; out: string; err: string }> {
  const io = capture(isTTY);
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

/** A GPT that trains in milliseconds. */
export const TINY = '--n-layer 1 --n-head 2 --n-embd 16 --block-size 16 --batch-size 4'.split(' ');

/** A 12-step run with evaluations at 0, 5, 10 and 12. */
export const SHORT =
  '--max-iters 12 --eval-interval 5 --eval-iters 2 --warmup-iters 2 --lr-decay-iters 12 --lr 1e-2 --min-lr 1e-3'.split(
    ' ',
  );

/** The arguments of `proj train` on `data` into `out`, {@link TINY} and {@link SHORT}, then `extra` (words). */
export function tinyTrain(data: string, out: string, extra = ''): string[] {
  return ['train', '--data', data, ...TINY, ...SHORT, '--out', out, ...extra.split(' ').filter(Boolean)];
}

/**
 * Writes 400 lines of two `words` each (`dir/corpus.txt`) and trains a tiny GPT on them with
 * {@link tinyTrain} (one thread, then `extra`) into `dir/base`; resolves with that folder.
 * @throws Error when the training fails.
 */
export async function tinyBase(dir: string, words: readonly string[], extra = ''): Promise<string> {
  const corpus = join(dir, 'corpus.txt');
  const n = words.length;
  await writeFile(
    corpus,
    Array.from({ length: 400 }, (_, i) => `${words[i % n]} ${words[(i * 3) % n]}.\n`).join(''),
  );
  const base = join(dir, 'base');
  const r = await runCli(tinyTrain(corpus, base, `--threads 1 ${extra}`));
  if (r.code !== 0) throw new Error(`training the base model failed: ${r.err}`);
  return base;
}
