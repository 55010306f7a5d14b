import type { TrainEvent } from '@proj/train';
import type { OutStream } from './io.js';

/** Formats milliseconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Formats a rate as `950`, `12.3k` or `1.2M`. */
export function formatRate(n: number): string {
  if (!Number.isFinite(n)) return '?';
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

/** A metric with 4 significant digits (`0.6931`, `-12.35`, `1.234e-5`). */
export function formatMetric(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 ? String(Number(v.toPrecision(4))) : v.toExponential(3);
}

/**
 * Renders training events: on a terminal one progress line redrawn in place (bar, loss, lr,
 * tokens/s, ETA) with evaluation and checkpoint lines printed above it; elsewhere (a pipe, a file, CI)
 * a plain line every `logInterval` steps.
 */
export class ProgressPrinter {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly out: OutStream,
    private readonly logInterval: number,
    private readonly checkpointDir: string,
    /** Step metrics shown after the loss (e.g. PPO's `env/reward_mean`, `objective/kl`). */
    private readonly headline: readonly string[] = [],
  ) {}

  /** Handles one event from `pretrain`. */
  onEvent(e: TrainEvent): void {
    if (e.type === 'step') {
      if (this.out.isTTY) {
        const now = performance.now();
        if (now - this.lastDraw < 100 && e.iter + 1 < e.maxIters) return;
        this.lastDraw = now;
        this.draw(this.barLine(e));
      } else if (e.iter % this.logInterval === 0 || e.iter + 1 === e.maxIters) {
        this.out.write(
          `iter ${e.iter}: loss ${e.loss.toFixed(4)}${this.shown(e.metrics, ', ')}, lr ${e.lr.toExponential(2)}, ${formatRate(e.tokensPerSec)} tok/s, ETA ${formatDuration(e.etaMs)}\n`,
        );
      }
    } else if (e.type === 'eval') {
      const losses = [
        ...(Number.isNaN(e.trainLoss) ? [] : [`train loss ${e.trainLoss.toFixed(4)}`]),
        ...(Number.isNaN(e.valLoss) ? [] : [`val loss ${e.valLoss.toFixed(4)}`]),
      ];
      const evaluated = Object.entries(e.metrics).filter(([name]) => name.startsWith('eval'));
      const metrics = evaluated.map(([name, v]) => `${name} ${formatMetric(v)}`);
      this.line(`step ${e.iter}: ${[...losses, ...metrics].join(', ')}`);
    } else if (e.type === 'skip') {
      this.line(
        `iter ${e.iter}: skipped the step (loss ${e.loss}, gradient norm ${e.gradNorm}), ${e.inARow} in a row`,
      );
    } else {
      this.line(`saved checkpoint to ${this.checkpointDir} (${e.reason}, iter ${e.iter})`);
    }
  }

  /** Ends the progress line so later output starts on a fresh line. */
  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }

  /** The headline metrics of a step, each after `separator`. */
  private shown(metrics: Record<string, number>, separator: string): string {
    return this.headline
      .filter((name) => name in metrics)
      .map((name) => `${separator}${name} ${formatMetric(metrics[name]!)}`)
      .join('');
  }

  private barLine(e: Extract<TrainEvent, { type: 'step' }>): string {
    const done = e.iter + 1;
    const stats = ` ${done}/${e.maxIters} loss ${e.loss.toFixed(4)}${this.shown(e.metrics, ' ')} lr ${e.lr.toExponential(2)} ${formatRate(e.tokensPerSec)} tok/s ETA ${formatDuration(e.etaMs)}`;
    const room = Math.max(10, Math.min(30, (this.out.columns ?? 80) - stats.length - 8));
    const filled = Math.round((room * done) / e.maxIters);
    const pct = `${String(Math.floor((100 * done) / e.maxIters)).padStart(3)}%`;
    return `${pct} [${'#'.repeat(filled)}${'.'.repeat(room - filled)}]${stats}`;
  }

  private draw(text: string): void {
    this.out.write(`\r\x1b[2K${text}`);
    this.drawn = true;
  }

  private line(text: string): void {
    if (this.out.isTTY && this.drawn) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    this.drawn = false;
  }
}
