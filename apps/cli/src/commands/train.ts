import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GPT, GPT_DEFAULTS, type GPTConfig } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { enableThreads } from '@proj/tensor/node';
import type { Tokenizer } from '@proj/tokenizers';
import {
  AdamW,
  constantLR,
  cosineWithWarmup,
  decayParamGroups,
  pretrain,
  restoreCheckpoint,
  TokenDataset,
  TrainingDivergedError,
  type TrainResult,
} from '@proj/train';
import { checkpointWriter, writeFileAtomic } from '@proj/train/node';
import { formatUsage, givenOptions, parseOptions } from '../args.js';
import { loadCorpus } from '../corpus.js';
import { CliError, type Io } from '../io.js';
import { lossSvg } from '../loss-svg.js';
import { openCheckpoint } from '../open-checkpoint.js';
import { checkWritable } from '../out-dir.js';
import { formatDuration, formatRate, ProgressPrinter } from '../progress.js';
import { sampleText } from '../sampling.js';
import { buildTokenizer, parseTokenizerChoice, serializeTokenizer, tokenizerLabel } from '../tokenizer-io.js';
import { checkArgs, checkDataFits, checkMemory, checkResumeOptions, planResume } from './train-checks.js';
import { defaultThreads, TRAIN_SPEC, type TrainArgs } from './train-options.js';

/** `proj train`: pretrain a GPT and write checkpoint, metrics, loss curve and a sample. */
export const trainCommand = {
  spec: TRAIN_SPEC,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parseOptions(TRAIN_SPEC, argv);
    if (parsed.help) {
      io.stdout.write(formatUsage(TRAIN_SPEC));
      return;
    }
    const a = parsed as unknown as TrainArgs;
    const choice = parseTokenizerChoice(a.tokenizer);
    checkArgs(a);
    const wanted = a.threads ?? defaultThreads();
    const threads = wanted > 1 ? await enableThreads(wanted) : 1;

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
    const optimizer = new AdamW(decayParamGroups(model.namedParameters(), a.weightDecay), {
      lr: a.lr,
      betas: [a.beta1, a.beta2],
    });
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
    const schedule = a.decayLr
      ? cosineWithWarmup({
          lr: a.lr,
          minLr: a.minLr,
          warmupIters: a.warmupIters,
          lrDecayIters: a.lrDecayIters,
        })
      : constantLR(a.lr);

    const tokensPerIter = a.batchSize * blockSize * a.gradAccum;
    const resumedFrom = opened?.ckpt.state.iter;
    io.stdout.write(
      `${opened ? `resuming ${out} at iter ${resumedFrom}` : `training into ${out}`}: ` +
        `${corpus.name} (${(corpus.text.length / 1e6).toFixed(2)}M chars, ${(ids.length / 1e6).toFixed(2)}M tokens, vocab ${tokenizer.vocabSize}), ` +
        `GPT ${(model.numParameters() / 1e6).toFixed(2)}M parameters, ${a.maxIters} iters of ${tokensPerIter} tokens, ` +
        `${threads} thread${threads === 1 ? '' : 's'}\n${plan?.note ? `note: ${plan.note}\n` : ''}`,
    );
    const printer = new ProgressPrinter(io.stdout, a.logInterval, out);
    const controller = new AbortController();
    const stopListening = io.onInterrupt?.(() => {
      // a second signal quits at once: a save cut short leaves the previous checkpoint in place
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    });
    const config = {
      model: { ...model.config },
      train: { ...a, out },
      data: { name: corpus.name, tokens: ids.length },
    };
    let lastSaved = resumedFrom;
    let result: TrainResult;
    let diverged: TrainingDivergedError | undefined;
    try {
      result = await pretrain({
        model,
        optimizer,
        train,
        val,
        batchSize: a.batchSize,
        blockSize,
        maxIters: a.maxIters,
        gradAccum: a.gradAccum,
        gradClip: a.gradClip,
        schedule,
        evalInterval: a.evalInterval,
        evalIters: a.evalIters,
        evalBatches: a.evalBatches as 'random' | 'fixed',
        generator,
        alwaysSaveCheckpoint: a.alwaysSaveCheckpoint,
        signal: controller.signal,
        skipNonFiniteSteps: a.skipNonfiniteSteps,
        checkpoint: checkpointWriter(out, {
          model,
          optimizer,
          config,
          tokenizer: serializeTokenizer(tokenizer),
        }),
        resume: plan?.resume,
        onEvent: async (e) => {
          printer.onEvent(e);
          if (e.type === 'checkpoint') lastSaved = e.iter;
          if (e.type === 'step') await new Promise((r) => setImmediate(r)); // let Ctrl-C through
        },
      });
    } catch (error) {
      if (!(error instanceof TrainingDivergedError)) throw error;
      diverged = error;
      result = error.result;
    } finally {
      printer.finish();
      stopListening?.();
    }

    const outputs = { model, resumedFrom, corpus: corpus.name, tokenizer: a.tokenizer, diverged };
    if (diverged) {
      // no sample from a broken model; the curve and metrics up to here, and the last good checkpoint
      await writeOutputs(out, result, { ...outputs, sample: null });
      const kept =
        lastSaved === undefined ? 'no checkpoint was written' : `the checkpoint of iter ${lastSaved} is kept`;
      throw new CliError(`${diverged.message}; wrote metrics.json and loss.svg, ${kept} in ${out}`);
    }
    const sample = sampleText(model, tokenizer, { prompt: '\n', maxNewTokens: a.sampleTokens, seed: a.seed });
    await writeOutputs(out, result, { ...outputs, sample });
    const skipped = result.skippedSteps > 0 ? `, skipped ${result.skippedSteps} non-finite steps` : '';
    io.stdout.write(
      `${result.aborted ? 'stopped' : 'done'} at iter ${result.iters}: train loss ${result.finalTrainLoss.toFixed(4)}, ` +
        `val loss ${result.finalValLoss.toFixed(4)} (best ${result.bestValLoss.toFixed(4)}), ` +
        `${formatDuration(result.wallMs)}, ${result.msPerIter.toFixed(1)} ms/iter, ${formatRate(result.tokensPerSec)} tok/s${skipped}\n` +
        `wrote ${out}/{checkpoint.json,ckpt-*,metrics.json,loss.svg,sample.txt}\n\n` +
        `--- sample ---\n${sample}\n--------------\n`,
    );
  },
};

function encodeCorpus(tokenizer: Tokenizer, text: string): Uint16Array | Int32Array {
  let ids: number[];
  try {
    ids = tokenizer.encode(text);
  } catch (error) {
    throw new CliError(`the tokenizer cannot encode the data: ${(error as Error).message}`);
  }
  return tokenizer.vocabSize <= 65536 ? Uint16Array.from(ids) : Int32Array.from(ids);
}

/** What {@link writeOutputs} records besides the result. */
interface OutputExtras {
  model: GPT;
  resumedFrom: number | undefined;
  corpus: string;
  tokenizer: string;
  /** null: no sample (the run diverged). */
  sample: string | null;
  diverged: TrainingDivergedError | undefined;
}

/** Writes metrics.json, loss.svg and (with a sample) sample.txt into `out`. */
async function writeOutputs(out: string, r: TrainResult, extra: OutputExtras): Promise<void> {
  const evals = r.history.evals;
  const metrics = {
    data: extra.corpus,
    tokenizer: extra.tokenizer,
    iters: r.iters,
    aborted: r.aborted,
    finalTrainLoss: r.finalTrainLoss,
    finalValLoss: r.finalValLoss,
    bestTrainLoss: Math.min(...evals.map((e) => e[1])),
    bestValLoss: r.bestValLoss,
    wallSeconds: r.wallMs / 1000,
    msPerIter: r.msPerIter,
    tokensPerSec: r.tokensPerSec,
    parameters: extra.model.numParameters(),
    parametersWithPositions: extra.model.numParameters({ nonEmbedding: false }),
    resumedFrom: extra.resumedFrom ?? null,
    skippedSteps: r.skippedSteps,
    diverged: extra.diverged
      ? {
          phase: extra.diverged.phase,
          iter: extra.diverged.iter,
          loss: String(extra.diverged.loss),
          gradNorm: String(extra.diverged.gradNorm),
          lr: extra.diverged.lr,
        }
      : null,
  };
  const json = JSON.stringify(
    metrics,
    (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  );
  await writeFileAtomic(join(out, 'metrics.json'), `${json}\n`);
  await writeFileAtomic(
    join(out, 'loss.svg'),
    lossSvg(r.history, `${extra.corpus} · ${extra.tokenizer} · GPT`),
  );
  if (extra.sample !== null) await writeFile(join(out, 'sample.txt'), `${extra.sample}\n`);
}
