import { type CommandSpec, type ParsedOptions, UsageError } from '../args.js';
import { command } from '../command.js';
import { writeModelFolder } from './export.js';

/** The spec behind `proj merge --help`. */
export const MERGE_SPEC: CommandSpec = {
  name: 'merge',
  summary:
    "Fold LoRA adapters into their base weights (PEFT's merge_and_unload) and write the merged model as a Hugging Face GPT-2 folder.",
  options: [
    {
      name: 'from',
      type: 'string',
      value: '<dir>',
      help: 'A proj finetune run with --lora-r, or a PEFT adapter folder (adapter_config.json naming its base); required',
    },
    { name: 'out', type: 'string', value: '<dir>', help: 'Folder to write (created if needed); required' },
  ],
  notes: ['The merged folder loads with proj sample, proj finetune and transformers, with no adapter files.'],
};

/** `proj merge`: write an adapted model with its adapters merged into the weights. */
export const mergeCommand = command<ParsedOptions>(MERGE_SPEC, async (o, io) => {
  const [from, out] = [o.from as string | undefined, o.out as string | undefined];
  if (!from) throw new UsageError('--from <dir> is required', MERGE_SPEC);
  if (!out) throw new UsageError('--out <dir> is required', MERGE_SPEC);
  await writeModelFolder('merge', from, out, io);
});
