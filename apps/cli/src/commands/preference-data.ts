import { readFile } from 'node:fs/promises';
import type { Tokenizer } from '@proj/tokenizers';
import { PreferenceDataset, type PreferenceExample, parsePreferenceJsonl } from '@proj/train';
import { type CommandSpec, type OptionSpec, UsageError } from '../args.js';
import { CliError } from '../io.js';
import { checkLoopArgs, type LoopArgs, type LoopDefaults } from './loop-options.js';

/** The options of `proj reward-model` and `proj dpo` that say where the pairs are. */
export const PREFERENCE_DATA_OPTIONS: OptionSpec[] = [
  {
    name: 'from',
    type: 'string',
    value: '<dir>',
    help: 'The model to start from: a proj run, a Hugging Face GPT-2 folder or an adapter folder (required unless --resume)',
  },
  {
    name: 'data',
    type: 'string',
    value: '<jsonl>',
    help: 'Preference pairs, one JSON object per line: {"prompt", "chosen", "rejected"} and an optional "margin" (required)',
  },
  {
    name: 'val-data',
    type: 'string',
    value: '<jsonl>',
    help: 'Validation pairs (default: the last --val-fraction of --data)',
  },
  {
    name: 'val-fraction',
    type: 'number',
    default: 0.1,
    value: '<x>',
    min: 0,
    help: 'Share of --data kept for validation when there is no --val-data (0: none)',
  },
];

/** The loop defaults of `proj reward-model` and `proj dpo` but the learning rates (TRL's warmup-free runs, shortened for CPUs). */
export const PREFERENCE_LOOP_DEFAULTS: Omit<LoopDefaults, 'lr' | 'minLr'> = {
  batchSize: 8,
  maxIters: 200,
  warmupIters: 10,
  lrDecayIters: 200,
  beta2: 0.999,
  weightDecay: 0,
  evalInterval: 50,
  evalIters: 10,
};

/** The values of {@link PREFERENCE_DATA_OPTIONS}. */
export interface PreferenceDataArgs {
  from: string | undefined;
  data: string | undefined;
  valData: string | undefined;
  valFraction: number;
}

/** @throws UsageError for a missing `--data` or `--from`, a bad `--val-fraction`, or bad loop options. */
export function checkPreferenceArgs(a: PreferenceDataArgs & LoopArgs, spec: CommandSpec): void {
  checkLoopArgs(a, spec);
  if (!a.resume && !a.from) throw new UsageError('--from <dir> is required (the model to start from)', spec);
  if (!a.data) throw new UsageError('--data <jsonl> is required', spec);
  if (a.valFraction >= 1) throw new UsageError(`--val-fraction must be below 1, got ${a.valFraction}`, spec);
}

/**
 * The training and validation pairs of `--data` (and `--val-data`, or the last `--val-fraction`),
 * tokenized and fitted to the model's context.
 * @throws CliError or DatasetError naming the file and line of a pair that cannot be used.
 */
export async function loadPreferenceData(
  a: PreferenceDataArgs,
  tokenizer: Tokenizer,
  blockSize: number,
): Promise<{ train: PreferenceDataset; val: PreferenceDataset | undefined }> {
  const all = await readPairs(a.data!);
  let [train, val] = [all, a.valData ? await readPairs(a.valData) : undefined];
  if (!val && a.valFraction > 0) {
    const n = Math.max(1, Math.floor(all.length * a.valFraction));
    if (n >= all.length)
      throw new CliError(
        `--data ${a.data} has ${all.length} pairs: too few to keep ${n} for validation (--val-fraction 0 keeps none)`,
      );
    [train, val] = [all.slice(0, -n), all.slice(-n)];
  }
  const eosId = tokenizer.specialTokens.get('<|endoftext|>') ?? null;
  const dataset = (pairs: typeof all) =>
    PreferenceDataset.fromExamples(
      pairs.map((p) => p.example),
      { tokenizer, blockSize, eosId, describe: (i) => pairs[i]!.where },
    );
  return { train: dataset(train), val: val && dataset(val) };
}

async function readPairs(path: string): Promise<{ where: string; example: PreferenceExample }[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const { examples, lines } = parsePreferenceJsonl(text, path);
  return examples.map((example, i) => ({ where: `${path}:${lines[i]}`, example }));
}
