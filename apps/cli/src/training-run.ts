import { join } from 'node:path';
import { type TrainEvent, TrainingDivergedError, type TrainResult } from '@proj/train';
import { writeFileAtomic } from '@proj/train/node';
import { CliError, type Io } from './io.js';
import { lossSvg } from './loss-svg.js';
import { formatDuration, formatRate, ProgressPrinter } from './progress.js';

/** How a training command's loop ended. */
export interface TrainingRun {
  result: TrainResult;
  /** Set when the run stopped on a non-finite loss or gradient. */
  diverged?: TrainingDivergedError;
  /** Iteration of the last checkpoint written (the resumed one when none was written). */
  lastSaved: number | undefined;
}

/** Options of {@link runTraining}. */
export interface RunTrainingOptions {
  out: string;
  logInterval: number;
  resumedFrom: number | undefined;
  /** Step metrics to show beside the loss (default none). */
  headline?: readonly string[];
  /** Starts the loop; it stops after the current step once `signal.aborted`. */
  start: (signal: AbortSignal) => AsyncGenerator<TrainEvent, TrainResult, undefined>;
}

/**
 * Runs a training loop as `proj train` and `proj finetune` do: a progress bar (or log lines), Ctrl-C
 * or SIGTERM stop after the current step with a checkpoint (a second signal quits at once: a save
 * cut short leaves the previous checkpoint in place), and a diverged run is returned, not thrown.
 */
export async function runTraining(io: Io, o: RunTrainingOptions): Promise<TrainingRun> {
  const printer = new ProgressPrinter(io.stdout, o.logInterval, o.out, o.headline);
  const controller = new AbortController();
  const stopListening = io.onInterrupt?.(() => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  });
  let lastSaved = o.resumedFrom;
  const events = o.start(controller.signal);
  try {
    for (;;) {
      const next = await events.next();
      if (next.done) return { result: next.value, lastSaved };
      const e = next.value;
      printer.onEvent(e);
      if (e.type === 'checkpoint') lastSaved = e.iter;
      if (e.type === 'step') await new Promise((r) => setImmediate(r)); // let Ctrl-C through
    }
  } catch (error) {
    if (!(error instanceof TrainingDivergedError)) throw error;
    return { result: error.result, diverged: error, lastSaved };
  } finally {
    printer.finish();
    stopListening?.();
  }
}

/** A model that counts its parameters (a GPT also without its position embeddings). */
interface CountsParameters {
  numParameters(options?: { nonEmbedding?: boolean }): number;
}

/**
 * Writes `metrics.json` (the run's losses, speed and `fields`) and `loss.svg` into `out`. For a
 * diverged run it then throws the one-line error that names what is kept.
 * @throws CliError when the run diverged.
 */
export async function writeRunOutputs(
  out: string,
  run: TrainingRun,
  o: { model: CountsParameters; title: string; fields: Record<string, unknown> },
): Promise<void> {
  const { result: r, diverged } = run;
  const metrics = {
    ...o.fields,
    iters: r.iters,
    aborted: r.aborted,
    finalTrainLoss: r.finalTrainLoss,
    finalValLoss: r.finalValLoss,
    bestTrainLoss: Math.min(...r.history.evals.map((e) => e[1])),
    bestValLoss: r.bestValLoss,
    wallSeconds: r.wallMs / 1000,
    msPerIter: r.msPerIter,
    tokensPerSec: r.tokensPerSec,
    parameters: o.model.numParameters(),
    parametersWithPositions: o.model.numParameters({ nonEmbedding: false }),
    skippedSteps: r.skippedSteps,
    diverged: diverged
      ? {
          phase: diverged.phase,
          iter: diverged.iter,
          loss: String(diverged.loss),
          gradNorm: String(diverged.gradNorm),
          lr: diverged.lr,
        }
      : null,
  };
  const json = JSON.stringify(
    metrics,
    (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  );
  await writeFileAtomic(join(out, 'metrics.json'), `${json}\n`);
  await writeFileAtomic(join(out, 'loss.svg'), lossSvg(r.history, o.title));
  if (diverged) {
    const kept =
      run.lastSaved === undefined
        ? 'no checkpoint was written'
        : `the checkpoint of iter ${run.lastSaved} is kept`;
    throw new CliError(`${diverged.message}; wrote metrics.json and loss.svg, ${kept} in ${out}`);
  }
}

/** One line on how the run ended: `done at iter 800: train loss …, val loss … (best …), 1m52s, … ms/iter, … tok/s`. */
export function resultLine(r: TrainResult): string {
  const skipped = r.skippedSteps > 0 ? `, skipped ${r.skippedSteps} non-finite steps` : '';
  return (
    `${r.aborted ? 'stopped' : 'done'} at iter ${r.iters}: train loss ${r.finalTrainLoss.toFixed(4)}, ` +
    `val loss ${r.finalValLoss.toFixed(4)} (best ${r.bestValLoss.toFixed(4)}), ` +
    `${formatDuration(r.wallMs)}, ${r.msPerIter.toFixed(1)} ms/iter, ${formatRate(r.tokensPerSec)} tok/s${skipped}`
  );
}
