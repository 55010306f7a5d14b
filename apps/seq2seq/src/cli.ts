import { InputError } from './input-error.js';
import { UsageError } from './options.js';
import { type Io, runTaskCommand, TASK_NAMES, taskUsage } from './task-commands.js';
import { translateCommand, translateUsage } from './translate.js';

const USAGE = `Usage: proj-seq2seq <command> [options]

Sequence-to-sequence reference apps: RNN, GRU, LSTM and Transformer encoder-decoders measured.

Commands:
  g2p        Grapheme-to-phoneme on CMUdict (WER/PER)
  numbers    Number words between languages (exact match, held-out and longer numbers)
  summaries  Email subject lines from bodies (ROUGE-1/2/L; Transformer, decoder-only GPT, lead baseline)
  translate  Translate a word or number, or summarise a file, with a saved model (beam, attention heatmap)

Run 'proj-seq2seq <command> --help' for the options of a command.
`;

/**
 * Runs the app on `argv` (without `node` and the script) and resolves with the exit code: 0 on
 * success, 1 for input the models cannot take or a missing run, 2 for bad usage.
 */
export async function main(argv: readonly string[], io: Io, stdin: NodeJS.ReadableStream): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const isTask = (TASK_NAMES as string[]).includes(name);
  try {
    if (isTask) await runTaskCommand(name as (typeof TASK_NAMES)[number], rest, io);
    else if (name === 'translate') await translateCommand(rest, io, stdin);
    else throw new UsageError(`unknown command '${name}'`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      const known = isTask || name === 'translate';
      io.stderr.write(`proj-seq2seq${known ? ` ${name}` : ''}: ${error.message}\n\n`);
      io.stderr.write(
        isTask
          ? taskUsage(name as (typeof TASK_NAMES)[number])
          : name === 'translate'
            ? translateUsage()
            : USAGE,
      );
      return 2;
    }
    if (error instanceof InputError) {
      io.stderr.write(`proj-seq2seq ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
