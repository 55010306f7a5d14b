import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  applyLoRA,
  GPT,
  type GPTConfig,
  generate,
  type LoRAConfig,
  loraLayers,
  mergeAndUnloadLoRA,
  saveLoRAAdapter,
  trainableParameters,
} from '@proj/nn';
import { Generator } from '@proj/tensor';
import type { Tokenizer } from '@proj/tokenizers';
import {
  finetuneEvents,
  parseSFTJsonl,
  promptForGeneration,
  restoreCheckpoint,
  SFTDataset,
  type SFTExample,
} from '@proj/train';
import { writeFileAtomic } from '@proj/train/node';
import { givenOptions, UsageError } from '../args.js';
import { command } from '../command.js';
import { onHost } from '../host-model.js';
import { CliError, type Io } from '../io.js';
import { loadModelSource, modelOfCheckpoint } from '../model-source.js';
import { openCheckpoint } from '../open-checkpoint.js';
import { checkWritable } from '../out-dir.js';
import { resultLine, runTraining, writeRunOutputs } from '../training-run.js';
import { checkFinetuneArgs, FINETUNE_SPEC, type FinetuneArgs } from './finetune-options.js';
import { loopRun, optimizerOf, startDevice } from './loop-options.js';
import { checkMemory } from './train-checks.js';

/** GPT-2's end-of-text token: appended to completions and learned, when the tokenizer has it. */
const END_OF_TEXT = '<|endoftext|>';

/** `proj finetune`: supervised finetuning, fully or with LoRA, and its checkpoint, metrics and samples. */
export const finetuneCommand = command<FinetuneArgs>(FINETUNE_SPEC, async (a, io, argv) => {
  checkFinetuneArgs(a, givenOptions(FINETUNE_SPEC, argv));
  const compute = await startDevice(a.device, a.threads, FINETUNE_SPEC);
  if (a.resume && !a.out && !a.from)
    throw new UsageError('--resume needs --out (the run to continue)', FINETUNE_SPEC);
  const out = a.out ?? join('runs', `${basename(resolve(a.from!))}-${a.loraR ? 'lora' : 'sft'}`);

  // One generator for adapter initialisation, dropout and batches; a checkpoint restores its state.
  const generator = new Generator(a.seed);
  const start = a.resume ? await resumedModel(out, generator) : await baseModel(a, generator, io);
  const { model, tokenizer, from } = start;
  const data = await loadData(a, tokenizer, model.config.blockSize);
  checkMemory(model.config, a.batchSize);
  await checkWritable(out); // only now: a mistake in the options or the data leaves no folder behind
  const optimizer = optimizerOf(model, a);
  const resumedFrom = start.opened?.ckpt.state.iter;
  let resume = start.opened
    ? restoreCheckpoint(start.opened.ckpt, { model, optimizer, generators: { data: generator } })
    : undefined;
  const savedExamples = (start.opened?.ckpt.state.config.data as { examples?: unknown } | undefined)
    ?.examples;
  let note = '';
  if (resume?.nextBatch && (resume.nextBatch.length !== a.batchSize || savedExamples !== data.train.length)) {
    resume = { ...resume, nextBatch: null };
    note =
      "note: --batch-size or --data differ from the checkpoint's: the next batch is drawn afresh, so the run no longer replays an uninterrupted one\n";
  }

  const loraConfig: LoRAConfig | null =
    (start.opened?.ckpt.state.config.lora as LoRAConfig | null | undefined) ??
    (a.loraR === undefined ? null : loraOptions(a));
  const lora = loraConfig !== null;
  const trainable = trainableParameters(model);
  const { stats } = data.train;
  io.stdout.write(
    `${start.opened ? `resuming ${out} at iter ${resumedFrom}` : `finetuning ${from} into ${out}`}: ` +
      `${stats.examples} training and ${data.val?.length ?? 0} validation examples from ${a.data}` +
      ` (${stats.promptTruncated} prompts and ${stats.completionTruncated} completions cut to the context of ${model.config.blockSize}), ` +
      `${lora ? `LoRA r=${loraConfig.r}` : 'full finetuning'}: ${trainable.summary}, ` +
      `${a.maxIters} iters of ${a.batchSize * a.gradAccum} examples, loss on ${a.completionOnlyLoss ? 'completions' : 'every token'}, ` +
      `${compute}\n${note}`,
  );
  const config = {
    model: { ...model.config },
    lora: loraConfig,
    finetune: { ...a, from, out },
    data: { examples: data.train.length },
  };
  const run = await runTraining(io, {
    out,
    logInterval: a.logInterval,
    resumedFrom,
    start: (signal) =>
      finetuneEvents({
        ...loopRun(a, { model, optimizer, tokenizer, generator, out, config: () => config, signal, resume }),
        model,
        train: data.train,
        val: data.val,
        evalIters: data.val ? a.evalIters : 0,
      }),
  });
  await writeRunOutputs(out, run, {
    model,
    title: `${basename(a.data!)} · ${lora ? `LoRA r=${loraConfig.r}` : 'full'} finetuning`,
    fields: {
      from,
      data: a.data,
      examples: { train: stats.examples, val: data.val?.length ?? 0 },
      promptTruncated: stats.promptTruncated,
      completionTruncated: stats.completionTruncated,
      completionOnlyLoss: a.completionOnlyLoss,
      lora: loraConfig,
      trainableParameters: trainable.trainable,
      resumedFrom: resumedFrom ?? null,
    },
  });
  const written = ['checkpoint.json', 'ckpt-*', 'metrics.json', 'loss.svg', 'samples.txt'];
  // adapter files and samples read the weights on the CPU
  const trained = await onHost(model, () => adaptedCopy(model.config, loraConfig));
  if (lora) {
    const adapter = saveLoRAAdapter(trained, { baseModelNameOrPath: from });
    await writeFileAtomic(join(out, 'adapter_model.safetensors'), adapter.weights);
    await writeFileAtomic(join(out, 'adapter_config.json'), `${JSON.stringify(adapter.config, null, 2)}\n`);
    written.push('adapter_config.json', 'adapter_model.safetensors');
  }
  const samples = sampleCompletions(trained, tokenizer, data.samples, a.maxNewTokens);
  await writeFile(join(out, 'samples.txt'), samples);
  io.stdout.write(`${resultLine(run.result)}\nwrote ${out}/{${written.join(',')}}\n\n${samples}`);
});

/** The model to finetune, its tokenizer, and where it came from (a checkpoint to resume, for `--resume`). */
interface StartingPoint {
  model: GPT;
  tokenizer: Tokenizer;
  /** The source model's folder, absolute (the adapter's `base_model_name_or_path`). */
  from: string;
  opened?: Awaited<ReturnType<typeof openCheckpoint>>;
}

/**
 * The model of `--from`, copied into a GPT whose dropout draws from `generator`, with any LoRA
 * adapters it has merged (finetuning goes on from the adapted weights), then adapted for this run
 * when `--lora-r` is given.
 */
async function baseModel(a: FinetuneArgs, generator: Generator, io: Io): Promise<StartingPoint> {
  const source = await loadModelSource(a.from!);
  for (const note of source.warnings) io.stderr.write(`proj finetune: note: ${note}\n`);
  if (loraLayers(source.model).length > 0) {
    mergeAndUnloadLoRA(source.model);
    io.stderr.write(
      `proj finetune: note: ${a.from} has LoRA adapters; finetuning starts from the merged weights\n`,
    );
  }
  const model = new GPT(source.model.config, { generator });
  model.loadStateDict(source.model.stateDict());
  if (a.loraR !== undefined) {
    try {
      applyLoRA(model, { ...loraOptions(a), generator });
    } catch (error) {
      throw new UsageError((error as Error).message, FINETUNE_SPEC);
    }
  }
  return { model, tokenizer: source.tokenizer, from: resolve(a.from!) };
}

/** The run checkpointed in `out`, to continue: its model (adapted as it was), tokenizer and source. */
async function resumedModel(out: string, generator: Generator): Promise<StartingPoint> {
  const opened = await openCheckpoint(out);
  const saved = opened.ckpt.state.config.finetune as { from?: unknown } | undefined;
  if (typeof saved?.from !== 'string')
    throw new CliError(
      `${out} is not a run of proj finetune (its state.json has no "config.finetune"); resume it with proj train --resume`,
    );
  return {
    model: modelOfCheckpoint(opened, out, generator),
    tokenizer: opened.tokenizer,
    from: saved.from,
    opened,
  };
}

/** A fresh GPT of `config`, with adapters of `lora` (their weights still to be loaded). */
function adaptedCopy(config: GPTConfig, lora: LoRAConfig | null): GPT {
  const copy = new GPT(config);
  return lora ? applyLoRA(copy, { ...lora, generator: new Generator(0) }) : copy;
}

/** The LoRA options of the command line, as `applyLoRA` takes them. */
function loraOptions(a: FinetuneArgs): LoRAConfig {
  return {
    r: a.loraR,
    alpha: a.loraAlpha,
    dropout: a.loraDropout,
    targetModules: a.targetModules.split(',').map((m) => m.trim()),
    useRslora: a.useRslora,
  };
}

/** Training and validation examples, fitted to the context, and the examples to sample at the end. */
interface FinetuneData {
  train: SFTDataset;
  val: SFTDataset | undefined;
  samples: { where: string; example: SFTExample }[];
}

/**
 * Reads `--data` (and `--val-data`, or else splits off the last `--val-fraction`), checks that every
 * prompt fits the context, and tokenizes.
 * @throws CliError naming the file and line of an example that cannot be used.
 */
async function loadData(a: FinetuneArgs, tokenizer: Tokenizer, blockSize: number): Promise<FinetuneData> {
  const all = await readExamples(a.data!, tokenizer, blockSize);
  let [train, val] = [all, a.valData ? await readExamples(a.valData, tokenizer, blockSize) : undefined];
  if (!val && a.valFraction > 0) {
    const n = Math.max(1, Math.floor(all.length * a.valFraction));
    if (n >= all.length)
      throw new CliError(
        `--data ${a.data} has ${all.length} examples: too few to keep ${n} for validation (--val-fraction 0 keeps none)`,
      );
    [train, val] = [all.slice(0, -n), all.slice(-n)];
  }
  const eosId = tokenizer.specialTokens.get(END_OF_TEXT) ?? null;
  const dataset = (set: typeof all) =>
    SFTDataset.fromExamples(
      set.map((e) => e.example),
      {
        tokenizer,
        blockSize,
        eosId,
        completionOnlyLoss: a.completionOnlyLoss,
        describe: (i) => set[i]!.where,
      },
    );
  return { train: dataset(train), val: val && dataset(val), samples: (val ?? train).slice(0, a.samples) };
}

/** The examples of a JSON Lines file, each with its `file:line`. @throws CliError or DatasetError naming the line. */
async function readExamples(path: string, tokenizer: Tokenizer, blockSize: number) {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const { examples, lines } = parseSFTJsonl(text, path);
  return examples.map((example, i) => {
    const where = `${path}:${lines[i]}`;
    let prompt: number[];
    try {
      prompt = promptForGeneration(tokenizer, example).ids;
    } catch (error) {
      throw new CliError(
        `${where}: the model's tokenizer cannot encode the prompt (${(error as Error).message})`,
      );
    }
    if (prompt.length > blockSize)
      throw new CliError(
        `${where}: the prompt is ${prompt.length} tokens, longer than the model's context of ${blockSize}`,
      );
    return { where, example };
  });
}

/** Greedy completions of the examples' prompts, next to the expected ones, as text. */
function sampleCompletions(
  model: GPT,
  tokenizer: Tokenizer,
  samples: FinetuneData['samples'],
  maxNewTokens: number,
): string {
  model.eval();
  const eos = tokenizer.specialTokens.get(END_OF_TEXT);
  return samples
    .map(({ where, example }) => {
      const { ids, completion } = promptForGeneration(tokenizer, example);
      const stopTokens = eos === undefined ? [] : [eos];
      const out = generate(model, ids, { maxNewTokens, temperature: 0, stopTokens });
      const got = [...out.data()].slice(ids.length).filter((id) => id !== eos);
      const prompt = tokenizer.decode(ids);
      return `--- ${where} ---\nprompt:   ${JSON.stringify(prompt)}\nexpected: ${JSON.stringify(completion)}\ngot:      ${JSON.stringify(tokenizer.decode(got))}\n`;
    })
    .join('');
}
