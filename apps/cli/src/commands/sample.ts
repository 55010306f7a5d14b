import { type CommandSpec, type ParsedOptions, UsageError } from '../args.js';
import { command } from '../command.js';
import { loadModelSource } from '../model-source.js';
import { sampleTexts } from '../sampling.js';
import { startThreads } from './loop-options.js';

/** The spec behind `proj sample --help`. */
export const SAMPLE_SPEC: CommandSpec = {
  name: 'sample',
  summary:
    'Generate text from a checkpoint written by proj train or a Hugging Face GPT-2 folder (nanoGPT sample.py).',
  options: [
    {
      name: 'from',
      type: 'string',
      value: '<dir>',
      help: 'Checkpoint directory (the --out of proj train) or a Hugging Face GPT-2 folder; required',
    },
    { name: 'prompt', type: 'string', default: '\\n', value: '<text>', help: 'Text to continue' },
    { name: 'max-new-tokens', type: 'int', default: 500, value: '<n>', min: 0, help: 'Tokens to generate' },
    {
      name: 'temperature',
      type: 'number',
      default: 0.8,
      value: '<t>',
      min: 0,
      help: '0: greedy; < 1 sharper, > 1 more random',
    },
    {
      name: 'top-k',
      type: 'int',
      default: 200,
      value: '<k>',
      min: 1,
      help: 'Sample among the k most likely tokens',
    },
    {
      name: 'top-p',
      type: 'number',
      value: '<p>',
      min: 0,
      exclusiveMin: true,
      help: 'Nucleus sampling: the most likely tokens up to probability p',
    },
    {
      name: 'num-samples',
      type: 'int',
      default: 1,
      value: '<n>',
      min: 1,
      help: 'Independent samples to draw, decoded together as one batch',
    },
    {
      name: 'threads',
      type: 'int',
      value: '<n>',
      min: 1,
      help: 'Threads for matrix products and attention (default: one per core, at most 4; samples are identical on any count)',
    },
    { name: 'seed', type: 'int', default: 1337, value: '<n>', help: 'Seed of the sampler' },
  ],
  notes: ['In --prompt, \\n stands for a newline.'],
};

/** `proj sample`: load a checkpoint and print samples. */
export const sampleCommand = command<ParsedOptions>(SAMPLE_SPEC, async (o, io) => {
  const from = o.from as string | undefined;
  if (!from) throw new UsageError('--from <dir> is required', SAMPLE_SPEC);
  if ((o.topP as number | undefined) !== undefined && (o.topP as number) > 1)
    throw new UsageError(`--top-p must be in (0, 1], got ${o.topP}`, SAMPLE_SPEC);
  const { model, tokenizer, warnings } = await loadModelSource(from);
  for (const note of warnings) io.stderr.write(`proj sample: note: ${note}\n`);
  const prompt = (o.prompt as string).replaceAll('\\n', '\n');
  await startThreads(o.threads as number | undefined);
  const texts = sampleTexts(
    model,
    tokenizer,
    {
      prompt,
      maxNewTokens: o.maxNewTokens as number,
      seed: o.seed as number,
      temperature: o.temperature as number,
      topK: o.topK as number,
      topP: o.topP as number | undefined,
    },
    o.numSamples as number,
  );
  io.stdout.write(texts.map((text) => `${text}\n`).join('---------------\n'));
});
