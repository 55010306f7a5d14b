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
