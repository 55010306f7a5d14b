/**
 * A learning-rate schedule: the learning rate to use at iteration `iter` (0-based). Schedules are
 * plain functions, so they compose: {@link warmup} wraps one, {@link sequential} chains several.
 */
export type LRSchedule = (iter: number) => number;

/** The same learning rate at every iteration. @example constantLR(1e-3)(500) // 0.001 */
export function constantLR(lr: number): LRSchedule {
  checkLr('constantLR', lr);
  return () => lr;
}

/** Options of {@link cosineDecay} and {@link linearDecay}. */
export interface DecayOptions {
  /** Learning rate at iteration 0. */
  from: number;
  /** Learning rate at `iters` and after. */
  to: number;
  /** Length of the decay in iterations (> 0). */
  iters: number;
}

/**
 * Half a cosine from `from` to `to` over `iters` iterations, then `to`:
 * `to + ½(1 + cos(π·it/iters))·(from − to)` — nanoGPT's decay, term for term.
 */
export function cosineDecay({ from, to, iters }: DecayOptions): LRSchedule {
  checkDecay('cosineDecay', from, to, iters);
  return (it) => {
    if (it > iters) return to;
    const ratio = it / iters;
    const coeff = 0.5 * (1.0 + Math.cos(Math.PI * ratio));
    return to + coeff * (from - to);
  };
}

/** A straight line from `from` to `to` over `iters` iterations, then `to`. */
export function linearDecay({ from, to, iters }: DecayOptions): LRSchedule {
  checkDecay('linearDecay', from, to, iters);
  return (it) => (it > iters ? to : from + (to - from) * (it / iters));
}

/**
 * Linear warmup over the first `warmupIters` iterations, then `then` shifted to start at 0:
 * iteration `it < warmupIters` gets `peak · (it + 1) / (warmupIters + 1)` (nanoGPT's warmup,
 * which never returns 0), and `it ≥ warmupIters` gets `then(it − warmupIters)`.
 * `peak` defaults to `then(0)`.
 *
 * @example warmup(100, cosineDecay({ from: 1e-3, to: 1e-4, iters: 1900 }))
 */
export function warmup(warmupIters: number, then: LRSchedule, peak = then(0)): LRSchedule {
  if (!(Number.isInteger(warmupIters) && warmupIters >= 0))
    throw new RangeError(`warmup: warmupIters must be an integer >= 0, got ${warmupIters}`);
  checkLr('warmup', peak);
  return (it) => (it < warmupIters ? (peak * (it + 1)) / (warmupIters + 1) : then(it - warmupIters));
}

/**
 * Runs `schedules` one after another: the first for `lengths[0]` iterations, the next (restarted at
 * its own iteration 0) for `lengths[1]`, …; the last runs forever. As PyTorch's `SequentialLR`.
 *
 * @example sequential([constantLR(1e-4), linearDecay({ from: 1e-3, to: 0, iters: 900 })], [100])
 * @throws RangeError unless there is one length fewer than schedules, each a positive integer.
 */
export function sequential(schedules: readonly LRSchedule[], lengths: readonly number[]): LRSchedule {
  if (schedules.length === 0 || lengths.length !== schedules.length - 1)
    throw new RangeError(
      `sequential: need n schedules and n - 1 lengths, got ${schedules.length} and ${lengths.length}`,
    );
  if (lengths.some((n) => !(Number.isInteger(n) && n > 0)))
    throw new RangeError(`sequential: lengths must be positive integers, got [${lengths.join(', ')}]`);
  return (it) => {
    let start = 0;
    for (let i = 0; i < lengths.length; i++) {
      if (it < start + lengths[i]!) return schedules[i]!(it - start);
      start += lengths[i]!;
    }
    return schedules[schedules.length - 1]!(it - start);
  };
}

/** Options of {@link cosineWithWarmup}: nanoGPT's names, camel-cased. */
export interface CosineWithWarmupOptions {
  /** Peak learning rate, reached at the end of the warmup. */
  lr: number;
  /** Final learning rate (from `lrDecayIters` on). */
  minLr: number;
  /** Warmup length in iterations. */
  warmupIters: number;
  /** Iteration at which the cosine reaches `minLr` (> warmupIters). */
  lrDecayIters: number;
}

/**
 * nanoGPT's `get_lr`, exactly: linear warmup `lr·(it+1)/(warmupIters+1)`, then cosine decay
 * from `lr` to `minLr` reached at `lrDecayIters`, then `minLr`.
 *
 * @example cosineWithWarmup({ lr: 1e-3, minLr: 1e-4, warmupIters: 100, lrDecayIters: 2000 })(1050) // 0.00055
 */
export function cosineWithWarmup({
  lr,
  minLr,
  warmupIters,
  lrDecayIters,
}: CosineWithWarmupOptions): LRSchedule {
  if (!(lrDecayIters > warmupIters))
    throw new RangeError(
      `cosineWithWarmup: lrDecayIters (${lrDecayIters}) must be greater than warmupIters (${warmupIters})`,
    );
  return warmup(warmupIters, cosineDecay({ from: lr, to: minLr, iters: lrDecayIters - warmupIters }), lr);
}

function checkLr(op: string, lr: number): void {
  if (!(lr >= 0 && Number.isFinite(lr)))
    throw new RangeError(`${op}: learning rate must be finite and >= 0, got ${lr}`);
}

function checkDecay(op: string, from: number, to: number, iters: number): void {
  checkLr(op, from);
  checkLr(op, to);
  if (!(iters > 0 && Number.isFinite(iters))) throw new RangeError(`${op}: iters must be > 0, got ${iters}`);
}
