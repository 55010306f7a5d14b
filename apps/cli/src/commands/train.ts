import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GPT, type GPTConfig } from '@proj/nn';
import { Generator } from '@proj/tensor';
import { enableThreads } from '@proj/tensor/node';
import type { Tokenizer } from '@proj/tokenizers';
import {
  AdamW,
  type Checkpoint,
  constantLR,
  cosineWithWarmup,
  decayParamGroups,
  type PretrainResult,
  pretrain,
  restoreCheckpoint,
  TokenDataset,
} from '@proj/train';
import { checkpointWriter, loadCheckpoint, writeFileAtomic } from '@proj/train/node';
import { formatUsage, parseOptions, UsageError } from '../args.js';
import { loadCorpus } from '../corpus.js';
import { CliError, type Io } from '../io.js';
import { lossSvg } from '../loss-svg.js';
import { formatDuration, formatRate, ProgressPrinter } from '../progress.js';
import { sampleText } from '../sampling.js';
import {
  buildTokenizer,
  deserializeTokenizer,
  parseTokenizerChoice,
  serializeTokenizer,
  tokenizerLabel,
} from '../tokenizer-io.js';
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

    const corpus = await loadCorpus(a.data);
    const out = a.out ?? join('runs', `${corpus.name}-${tokenizerLabel(choice)}`);
    const ckpt = a.resume ? await loadCheckpoint(out) : undefined;
    const tokenizer = ckpt ? deserializeTokenizer(ckpt.state.tokenizer) : buildTokenizer(choice, corpus.text);
    const ids = encodeCorpus(tokenizer, corpus.text);
    const { train, val } = new TokenDataset(ids).split(0.9);

    const modelConfig: Partial<GPTConfig> = ckpt
      ? (ckpt.state.config.model as Partial<GPTConfig>)
      : {
          vocabSize: tokenizer.vocabSize,
          blockSize: a.blockSize,
          nLayer: a.nLayer,
          nHead: a.nHead,
          nEmbd: a.nEmbd,
          dropout: a.dropout,
          bias: a.bias,
        };
    const blockSize = modelConfig.blockSize ?? a.blockSize;
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
    const resume = ckpt
      ? restoreCheckpoint(ckpt, { model, optimizer, generators: { data: generator } })
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
    io.stdout.write(
      `${ckpt ? `resuming ${out} at iter ${ckpt.state.iter}` : `training into ${out}`}: ` +
        `${corpus.name} (${(corpus.text.length / 1e6).toFixed(2)}M chars, ${(ids.length / 1e6).toFixed(2)}M tokens, vocab ${tokenizer.vocabSize}), ` +
        `GPT ${(model.numParameters() / 1e6).toFixed(2)}M parameters, ${a.maxIters} iters of ${tokensPerIter} tokens, ` +
        `${threads} thread${threads === 1 ? '' : 's'}\n`,
    );
    const printer = new ProgressPrinter(io.stdout, a.logInterval, out);
    const controller = new AbortController();
    const stopListening = io.onInterrupt?.(() => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    });
    const config = {
      model: { ...model.config },
      train: { ...a, out },
      data: { name: corpus.name, tokens: ids.length },
    };
    let result: PretrainResult;
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
        checkpoint: checkpointWriter(out, {
          model,
          optimizer,
          config,
          tokenizer: serializeTokenizer(tokenizer),
        }),
        ...(resume ? { resume } : {}),
        onEvent: async (e) => {
          printer.onEvent(e);
          if (e.type === 'step') await new Promise((r) => setImmediate(r)); // let Ctrl-C through
        },
      });
    } finally {
      printer.finish();
      stopListening?.();
    }

    const sample = sampleText(model, tokenizer, { prompt: '\n', maxNewTokens: a.sampleTokens, seed: a.seed });
    await writeOutputs(out, result, { model, ckpt, corpus: corpus.name, tokenizer: a.tokenizer, sample });
    io.stdout.write(
      `${result.aborted ? 'stopped' : 'done'} at iter ${result.iters}: train loss ${result.finalTrainLoss.toFixed(4)}, ` +
        `val loss ${result.finalValLoss.toFixed(4)} (best ${result.bestValLoss.toFixed(4)}), ` +
        `${formatDuration(result.wallMs)}, ${result.msPerIter.toFixed(1)} ms/iter, ${formatRate(result.tokensPerSec)} tok/s\n` +
        `wrote ${out}/{model.safetensors,optimizer.safetensors,state.json,metrics.json,loss.svg,sample.txt}\n\n` +
        `--- sample ---\n${sample}\n--------------\n`,
    );
  },
};

function checkArgs(a: TrainArgs): void {
  const fail = (message: string) => {
    throw new UsageError(message, TRAIN_SPEC);
  };
  if (a.nEmbd % a.nHead !== 0) fail(`--n-embd ${a.nEmbd} must be divisible by --n-head ${a.nHead}`);
  if (a.generator !== 'torch' && a.generator !== 'xoshiro')
    fail(`--generator must be torch or xoshiro, got '${a.generator}'`);
  if (a.evalBatches !== 'random' && a.evalBatches !== 'fixed')
    fail(`--eval-batches must be random or fixed, got '${a.evalBatches}'`);
  if (a.dropout >= 1) fail(`--dropout must be below 1, got ${a.dropout}`);
  if (a.beta1 >= 1 || a.beta2 >= 1)
    fail(`--beta1 and --beta2 must be below 1, got ${a.beta1} and ${a.beta2}`);
  if (a.decayLr && a.lrDecayIters <= a.warmupIters)
    fail(`--lr-decay-iters ${a.lrDecayIters} must be greater than --warmup-iters ${a.warmupIters}`);
}

function encodeCorpus(tokenizer: Tokenizer, text: string): Uint16Array | Int32Array {
  let ids: number[];
  try {
    ids = tokenizer.encode(text);
  } catch (error) {
    throw new CliError(`the tokenizer cannot encode the data: ${(error as Error).message}`);
  }
  return tokenizer.vocabSize <= 65536 ? Uint16Array.from(ids) : Int32Array.from(ids);
}

async function writeOutputs(
  out: string,
  r: PretrainResult,
  extra: { model: GPT; ckpt: Checkpoint | undefined; corpus: string; tokenizer: string; sample: string },
): Promise<void> {
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
    resumedFrom: extra.ckpt?.state.iter ?? null,
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
  await writeFile(join(out, 'sample.txt'), `${extra.sample}\n`);
}
