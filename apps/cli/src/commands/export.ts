import { loraLayers, mergeAndUnloadLoRA } from '@proj/nn';
import { type CommandSpec, type ParsedOptions, UsageError } from '../args.js';
import { command } from '../command.js';
import { writeHuggingFaceFolder } from '../hugging-face-folder.js';
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
export const exportCommand = command<ParsedOptions>(EXPORT_SPEC, async (o, io) => {
  const [from, out] = [o.from as string | undefined, o.out as string | undefined];
  if (!from) throw new UsageError('--from <dir> is required', EXPORT_SPEC);
  if (!out) throw new UsageError('--out <dir> is required', EXPORT_SPEC);
  await writeModelFolder('export', from, out, io);
});

/**
 * Loads the model in `from` (a run, a Hugging Face folder or an adapter folder), folds its LoRA
 * adapters into the weights, and writes it to `out` as a Hugging Face GPT-2 folder.
 * @param command - the command reporting (`merge` requires adapters).
 * @throws CliError for a `merge` of a model without adapters, and as {@link writeHuggingFaceFolder}.
 */
export async function writeModelFolder(
  command: 'export' | 'merge',
  from: string,
  out: string,
  io: Io,
): Promise<void> {
  const source = await loadModelSource(from);
  for (const note of source.warnings) io.stderr.write(`proj ${command}: note: ${note}\n`);
  const adapters = loraLayers(source.model).length;
  if (command === 'merge' && adapters === 0)
    throw new CliError(`${from} has no LoRA adapters to merge (proj export writes a model as it is)`);
  if (adapters > 0) mergeAndUnloadLoRA(source.model);
  const names = await writeHuggingFaceFolder(out, from, source.model, source.tokenizer);
  const { config } = source.model;
  const step = source.checkpoint ? ` (iter ${source.checkpoint.state.iter})` : '';
  const merged = adapters > 0 ? `, ${adapters} LoRA adapters merged` : '';
  io.stdout.write(
    `${command === 'merge' ? 'merged' : 'exported'} ${from}${step} to ${out}: GPT-2 layout, ${config.nLayer} layers, ` +
      `${config.nHead} heads, ${config.nEmbd} wide, vocab ${config.vocabSize}, context ${config.blockSize}, ` +
      `activation_function ${config.geluApproximate === 'tanh' ? 'gelu_new' : 'gelu'}${merged}\n` +
      `wrote ${out}/{${names.join(',')}}\n`,
  );
}
