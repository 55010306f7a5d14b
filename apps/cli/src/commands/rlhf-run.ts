import { join } from 'node:path';
import type { Module } from '@proj/nn';
import type { Generator } from '@proj/tensor';
import type { Tokenizer } from '@proj/tokenizers';
import { restoreCheckpoint, type TrainEvent, type TrainResult } from '@proj/train';
import { writeFileAtomic } from '@proj/train/node';
import type { Io } from '../io.js';
import { metricSvg } from '../loss-svg.js';
import type { OpenedCheckpoint } from '../open-checkpoint.js';
import { formatDuration } from '../progress.js';
import { resultLine, runTraining, writeRunOutputs } from '../training-run.js';
import { type LoopArgs, type LoopRun, loopRun, optimizerOf } from './loop-options.js';

/** A metric chart a command writes beside `loss.svg`. */
export interface StageChart {
  file: string;
  step: string;
  eval?: string;
  yLabel: string;
}

/** What {@link runStage} needs from a command. */
export interface StageOptions {
  command: string;
  a: LoopArgs;
  out: string;
  /** The model trained and checkpointed (its LoRA adapters, value or score head included). */
  model: Module;
  tokenizer: Tokenizer;
  generator: Generator;
  /** The run being resumed, if any. */
  opened: OpenedCheckpoint | undefined;
  /** What the run is, printed first (`training a reward model on …`). */
  describe: string;
  /** Where it computes, as `startDevice` describes it (`1 thread`, `webgpu (…)`), printed after it. */
  compute: string;
  /** `config` of each checkpoint, built when it is written (e.g. with the current KL coefficient). */
  config: () => Record<string, unknown>;
  /** Step metrics shown beside the loss. */
  headline: readonly string[];
  charts: readonly StageChart[];
  title: string;
  fields: Record<string, unknown>;
  /** The command's loop, given the shared options. */
  events: (loop: LoopRun) => AsyncGenerator<TrainEvent, TrainResult, undefined>;
}

/**
 * Runs an RLHF command's training as `proj train` runs its own, on the device the command started:
 * AdamW over the trainable weights, the schedule, an exact resume from `opened` (a changed
 * `--batch-size` draws the next batch afresh, with a note), checkpoints, progress, Ctrl-C, `metrics.json` (with the last step's and
 * the last evaluation's metrics), `loss.svg` and the charts.
 * @throws CliError for a diverged run (after writing what it can).
 */
export async function runStage(io: Io, o: StageOptions): Promise<TrainResult> {
  const { a, model, generator, out } = o;
  const optimizer = optimizerOf(model, a);
  let resume =
    o.opened && restoreCheckpoint(o.opened.ckpt, { model, optimizer, generators: { data: generator } });
  let note = '';
  if (resume?.nextBatch && resume.nextBatch.length !== a.batchSize) {
    resume = { ...resume, nextBatch: null };
    note = "note: --batch-size differs from the checkpoint's: the next batch is drawn afresh\n";
  }
  const resumedFrom = o.opened?.ckpt.state.iter;
  const resuming = o.opened ? `resuming ${out} at iter ${resumedFrom}: ` : '';
  io.stdout.write(`${resuming}${o.describe}, ${o.compute}\n${note}`);
  const run = await runTraining(io, {
    out,
    logInterval: a.logInterval,
    resumedFrom,
    headline: o.headline,
    start: (signal) =>
      o.events(
        loopRun(a, {
          model,
          optimizer,
          tokenizer: o.tokenizer,
          generator,
          out,
          config: o.config,
          signal,
          resume,
        }),
      ),
  });
  for (const chart of o.charts)
    await writeFileAtomic(join(out, chart.file), metricSvg(run.result.history, { ...chart, title: o.title }));
  await writeRunOutputs(out, run, {
    model,
    title: o.title,
    fields: { ...o.fields, resumedFrom: resumedFrom ?? null },
  });
  const r = run.result;
  const ended = Number.isFinite(r.finalTrainLoss)
    ? resultLine(r)
    : `${r.aborted ? 'stopped' : 'done'} at iter ${r.iters}: ${formatDuration(r.wallMs)}, ${(r.msPerIter / 1000).toFixed(2)} s/iter`;
  io.stdout.write(`${ended}\n`);
  return r;
}
