import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beamSearch } from '@proj/nn';
import { tensor } from '@proj/tensor';
import { writeFileAtomic } from '@proj/train/node';
import { numberToWords } from 'demo-data';
import { attentionSvg, attentionWeights } from './attention-map.js';
import { InputError } from './input-error.js';
import { type LoadedModel, loadModel } from './model-files.js';
import { SEQ2SEQ_KINDS } from './models.js';
import { formatUsage, type OptionSpec, parseOptions, UsageError } from './options.js';
import { encodeSource } from './source-input.js';
import type { Io } from './task-commands.js';
import { outputLimit } from './tasks/task.js';

const SPECS: OptionSpec[] = [
  { name: 'run', type: 'string', help: 'A run folder written by g2p, numbers or summaries (required)' },
  {
    name: 'model',
    type: 'string',
    choices: SEQ2SEQ_KINDS,
    default: 'transformer',
    help: 'Which of its models',
  },
  {
    name: 'input',
    type: 'string',
    help: 'A word, a number (words or digits) or a text; without --input or --file, lines from stdin',
  },
  { name: 'file', type: 'string', help: 'A text file to summarise (or translate)' },
  {
    name: 'beam',
    type: 'int',
    min: 1,
    default: 5,
    help: 'Beam width; every hypothesis is printed with its score',
  },
  {
    name: 'svg',
    type: 'string',
    help: 'Where to draw the cross-attention heatmap (default <run>/<model>/attention.svg)',
  },
];

const SUMMARY =
  'Translates a word or a number, or summarises a text file, with a saved model: prints the beam hypotheses with their scores and draws the cross-attention weights as an svg heatmap.';

/** The usage of `translate`. */
export function translateUsage(): string {
  return formatUsage('translate', SUMMARY, SPECS);
}

/** The text the model reads: g2p and numbers lower-case their input; numbers spell digits first. */
function prepare(loaded: LoadedModel, input: string): string {
  const text = input.trim();
  if (loaded.config.task === 'summaries') return text;
  if (loaded.config.task === 'numbers' && /^\d+$/.test(text) && loaded.config.numberLanguage) {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new InputError(`${text} is too large a number`);
    return numberToWords(value, loaded.config.numberLanguage);
  }
  return text.toLowerCase();
}

/** Translates one input: hypotheses to stdout, the attention heatmap to `svgPath`. */
async function translateOne(
  loaded: LoadedModel,
  input: string,
  beam: number,
  svgPath: string,
  io: Io,
): Promise<void> {
  const { model, config, source, target } = loaded;
  const text = prepare(loaded, input);
  const full = source.encode(text);
  const ids = encodeSource(config, source, text, 'throw')!;
  if (ids.length < full.length)
    io.stderr.write(`note: the input has ${full.length} tokens; the model reads the first ${ids.length}\n`);
  const src = tensor([ids], { dtype: 'int32' });
  const result = beamSearch(model, src, {
    bos: target.bosId,
    eos: target.eosId,
    maxLength: outputLimit(config.maxOutput, ids.length),
    beamSize: beam,
  });
  if (text !== input.trim()) io.stdout.write(`input: ${text}\n`);
  result.hypotheses[0]!.forEach((h, rank) => {
    io.stdout.write(
      `${rank + 1}. ${JSON.stringify(target.decode(h.tokens))}  score ${h.score.toFixed(4)}  log-prob ${h.logProb.toFixed(4)}\n`,
    );
  });
  const best = result.tokens[0]!;
  const output = best.at(-1) === target.eosId ? best : [...best, target.eosId];
  const weights = attentionWeights(model, ids, output, target.bosId);
  if (!weights) {
    io.stdout.write(`(${config.label} has no attention: no heatmap)\n`);
    return;
  }
  const title = `${config.label}: ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
  await writeFileAtomic(
    svgPath,
    attentionSvg(title, weights, { codec: source, ids }, { codec: target, ids: output }),
  );
  io.stdout.write(`attention heatmap: ${svgPath}\n`);
}

/** `translate`: loads a saved model and translates `--input`, `--file`, or each line of stdin. */
export async function translateCommand(
  argv: readonly string[],
  io: Io,
  stdin: NodeJS.ReadableStream,
): Promise<void> {
  const values = parseOptions(SPECS, argv);
  if (values.help) {
    io.stdout.write(translateUsage());
    return;
  }
  if (!values.run) throw new UsageError('--run <folder> is required');
  if (values.input !== undefined && values.file !== undefined)
    throw new UsageError('give --input or --file, not both');
  const dir = join(values.run as string, values.model as string);
  const loaded = await loadModel(dir);
  const svgPath = (values.svg as string | undefined) ?? join(dir, 'attention.svg');
  const beam = values.beam as number;
  if (values.input !== undefined) return translateOne(loaded, values.input as string, beam, svgPath, io);
  if (values.file !== undefined) {
    let text: string;
    try {
      text = await readFile(values.file as string, 'utf8');
    } catch (error) {
      throw new InputError(`cannot read --file ${values.file}: ${(error as Error).message}`);
    }
    return translateOne(loaded, text, beam, svgPath, io);
  }
  const lines = createInterface({ input: stdin, terminal: false });
  io.stdout.write(`${loaded.config.label} (${loaded.config.task}): type a line, Ctrl-D to quit\n`);
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      await translateOne(loaded, line, beam, svgPath, io);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      io.stderr.write(`${error.message}\n`);
    }
  }
}
