/** `1h 02m`, `3m 05s`, `42s` (rounded to seconds; `—` for an unknown or negative duration). */
export function formatDuration(ms: number): string {
  if (!(ms >= 0) || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${pad(Math.floor(s / 60) % 60)}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${s}s`;
}

/** A count with a k/M suffix: `950`, `12.3k`, `1.07M`. */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

/** The progress line of a run: step, loss, throughput and time left. */
export function progressLine(e: {
  iter: number;
  maxIters: number;
  loss: number;
  tokensPerSec: number;
  etaMs: number;
}): string {
  return (
    `step ${e.iter + 1}/${e.maxIters} · loss ${e.loss.toFixed(4)} · ` +
    `${formatCount(e.tokensPerSec)} tokens/s · ETA ${formatDuration(e.etaMs)}`
  );
}
