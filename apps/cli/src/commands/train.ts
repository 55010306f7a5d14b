import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GPT, GPT_DEFAULTS, type GPTConfig } from '@proj/nn';
import { Generator } from '@proj/tensor';
import type { Tokenizer } from '@proj/tokenizers';
import { pretrainEvents, restoreCheckpoint, TokenDataset } from '@proj/train';
import { givenOptions } from '../args.js';
import { command } from '../command.js';
import { loadCorpus } from '../corpus.js';
import { onHost } from '../host-model.js';
import { CliError } from '../io.js';
import { openCheckpoint } from '../open-checkpoint.js';
import { checkWritable } from '../out-dir.js';
import { sampleText } from '../sampling.js';
import { buildTokenizer, parseTokenizerChoice, tokenizerLabel } from '../tokenizer-io.js';
import { resultLine, runTraining, writeRunOutputs } from '../training-run.js';
import { loopRun, optimizerOf, startDevice } from './loop-options.js';
import { checkArgs, checkDataFits, checkMemory, checkResumeOptions, planResume } from './train-checks.js';
import { TRAIN_SPEC, type TrainArgs } from './train-options.js';

/** `proj train`: pretrain a GPT and write checkpoint, metrics, loss curve and a sample. */
export const trainCommand = command<TrainArgs>(TRAIN_SPEC, async (a, io, argv) => {
  const choice = parseTokenizerChoice(a.tokenizer);
  checkArgs(a);
  const compute = await startDevice(a.device, a.threads, TRAIN_SPEC);

  const corpus = await loadCorpus(a.data, { allowBinary: a.allowBinary });
  const out = a.out ?? join('runs', `${corpus.name}-${tokenizerLabel(choice)}`);
  const opened = a.resume ? await openCheckpoint(out) : undefined;
  await checkWritable(out);
  if (opened) checkResumeOptions(a, givenOptions(TRAIN_SPEC, argv), opened.ckpt.state.config);
  const tokenizer = opened?.tokenizer ?? buildTokenizer(choice, corpus.text);
  const ids = encodeCorpus(tokenizer, corpus.text);
  const { train, val } = new TokenDataset(ids).split(0.9);

  const modelConfig: GPTConfig = opened?.config ?? {
    ...GPT_DEFAULTS,
    vocabSize: tokenizer.vocabSize,
    blockSize: a.blockSize,
    nLayer: a.nLayer,
    nHead: a.nHead,
    nEmbd: a.nEmbd,
    dropout: a.dropout,
    bias: a.bias,
    geluApproximate: 'none',
  };
  const blockSize = modelConfig.blockSize;
  checkDataFits(a.data, train, val, blockSize);
  checkMemory(modelConfig, a.batchSize);
  // One generator for initialisation, dropout and batches, as nanoGPT's torch.manual_seed(1337);
  // with --generator torch it draws the numbers torch draws (a checkpoint's state restores its own)
  const generator = new Generator(a.seed, {
    algorithm: a.generator === 'torch' ? 'torch' : 'xoshiro128**',
  });
  const model = new GPT(modelConfig, { generator });
  const optimizer = optimizerOf(model, a);
  const plan = opened
    ? planResume(restoreCheckpoint(opened.ckpt, { model, optimizer, generators: { data: generator } }), {
        batchSize: a.batchSize,
        blockSize,
        train,
        tokens: ids.length,
        savedTokens: (opened.ckpt.state.config.data as { tokens?: unknown } | undefined)?.tokens,
        stateFile: join(opened.ckpt.dir ?? out, 'state.json'),
      })
    : undefined;
  const tokensPerIter = a.batchSize * blockSize * a.gradAccum;
  const resumedFrom = opened?.ckpt.state.iter;
  io.stdout.write(
    `${opened ? `resuming ${out} at iter ${resumedFrom}` : `training into ${out}`}: ` +
      `${corpus.name} (${(corpus.text.length / 1e6).toFixed(2)}M chars, ${(ids.length / 1e6).toFixed(2)}M tokens, vocab ${tokenizer.vocabSize}), ` +
      `GPT ${(model.numParameters() / 1e6).toFixed(2)}M parameters, ${a.maxIters} iters of ${tokensPerIter} tokens, ` +
      `${compute}\n${plan?.note ? `note: ${plan.note}\n` : ''}`,
  );
  const config = {
    model: { ...model.config },
    train: { ...a, out },
    data: { name: corpus.name, tokens: ids.length },
  };
  const run = await runTraining(io, {
    out,
    logInterval: a.logInterval,
    resumedFrom,
    start: (signal) =>
      pretrainEvents({
        ...loopRun(a, {
          model,
          optimizer,
          tokenizer,
          generator,
          out,
          config: () => config,
          signal,
          resume: plan?.resume,
        }),
        model,
        train,
        val,
        blockSize,
        evalBatches: a.evalBatches as 'random' | 'fixed',
      }),
  });
  const outputs = {
    model,
    title: `${corpus.name} · ${a.tokenizer} · GPT`,
    fields: { data: corpus.name, tokenizer: a.tokenizer, resumedFrom: resumedFrom ?? null },
  };
  await writeRunOutputs(out, run, outputs); // throws for a diverged run: no sample from a broken model
  const sampler = await onHost(model, () => new GPT(model.config));
  const sample = sampleText(sampler, tokenizer, { prompt: '\n', maxNewTokens: a.sampleTokens, seed: a.seed });
  await writeFile(join(out, 'sample.txt'), `${sample}\n`);
  io.stdout.write(
    `${resultLine(run.result)}\n` +
      `wrote ${out}/{checkpoint.json,ckpt-*,metrics.json,loss.svg,sample.txt}\n\n` +
      `--- sample ---\n${sample}\n--------------\n`,
  );
});

function encodeCorpus(tokenizer: Tokenizer, text: string): Uint16Array | Int32Array {
  let ids: number[];
  try {
    ids = tokenizer.encode(text);
  } catch (error) {
    throw new CliError(`the tokenizer cannot encode the data: ${(error as Error).message}`);
  }
  return tokenizer.vocabSize <= 65536 ? Uint16Array.from(ids) : Int32Array.from(ids);
}
