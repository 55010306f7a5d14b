import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CheckpointError } from '@proj/train';
import { loadCheckpoint, writeFileAtomic } from '@proj/train/node';
import { type CommandSpec, formatUsage, parseOptions, UsageError } from '../args.js';
import { huggingFaceFiles } from '../hugging-face-folder.js';
import { CliError, type Io } from '../io.js';
import { loadModelSource } from '../model-source.js';

/** The spec behind `proj export --help`. */
export const EXPORT_SPEC: CommandSpec = {
  name: 'export',
  summary:
    'Write a run as a Hugging Face GPT-2 folder (model.safetensors, config.json, tokenizer files) for transformers and PyTorch.',
  options: [
    {
      name: 'from',
      type: 'string',
      value: '<dir>',
      help: 'Checkpoint directory (the --out of proj train) or a Hugging Face GPT-2 folder; required',
    },
    { name: 'out', type: 'string', value: '<dir>', help: 'Folder to write (created if needed); required' },
  ],
  notes: [
    'The folder loads with transformers.GPT2LMHeadModel.from_pretrained(dir) and AutoTokenizer.from_pretrained(dir),',
    'and with proj sample --from <dir>.',
  ],
};

/** `proj export`: write a run in the Hugging Face GPT-2 layout. */
export const exportCommand = {
  spec: EXPORT_SPEC,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const o = parseOptions(EXPORT_SPEC, argv);
    if (o.help) {
      io.stdout.write(formatUsage(EXPORT_SPEC));
      return;
    }
    const [from, out] = [o.from as string | undefined, o.out as string | undefined];
    if (!from) throw new UsageError('--from <dir> is required', EXPORT_SPEC);
    if (!out) throw new UsageError('--out <dir> is required', EXPORT_SPEC);
    const source = await loadModelSource(from);
    for (const note of source.warnings) io.stderr.write(`proj export: note: ${note}\n`);
    // everything is computed before the first byte is written
    const files = huggingFaceFiles(source.model, source.tokenizer);
    if (resolve(out) === resolve(from) || (await holdsCheckpoint(out)))
      throw new CliError(`--out ${out} holds a proj checkpoint; export into a folder of its own`);
    try {
      await mkdir(out, { recursive: true });
      // config.json last: until it is there, the folder is not taken for a Hugging Face one
      const names = Object.keys(files).sort(
        (a, b) => Number(a === 'config.json') - Number(b === 'config.json'),
      );
      for (const name of names) await writeFileAtomic(join(out, name), files[name]!);
    } catch (error) {
      throw new CliError(`cannot write ${out}: ${(error as Error).message}`);
    }
    const { config } = source.model;
    const step = source.checkpoint ? ` (iter ${source.checkpoint.state.iter})` : '';
    io.stdout.write(
      `exported ${from}${step} to ${out}: GPT-2 layout, ${config.nLayer} layers, ${config.nHead} heads, ` +
        `${config.nEmbd} wide, vocab ${config.vocabSize}, context ${config.blockSize}, ` +
        `activation_function ${config.geluApproximate === 'tanh' ? 'gelu_new' : 'gelu'}\n` +
        `wrote ${out}/{${Object.keys(files).join(',')}}\n`,
    );
  },
};

/** Whether `dir` holds a checkpoint of proj train (read through loadCheckpoint, whatever its layout). */
async function holdsCheckpoint(dir: string): Promise<boolean> {
  try {
    await loadCheckpoint(dir);
    return true;
  } catch (error) {
    if (error instanceof CheckpointError) return false;
    throw error;
  }
}
