import type { LossHistory } from '@proj/train';

const W = 720;
const H = 420;
const M = { left: 60, right: 20, top: 40, bottom: 50 };
const COLORS = { step: '#9ec5e8', train: '#1f77b4', val: '#d62728' };

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One line of a {@link curvesSvg} chart: `[iteration, value]` points (non-finite ones skipped). */
export interface Curve {
  label: string;
  color: string;
  points: [number, number][];
  /** Thick with a marker at every point (evaluations), or thin (every step). */
  markers: boolean;
}

/**
 * Curves over iterations as a standalone SVG: axes with round ticks, one path per curve, markers
 * where asked, a legend. The y axis starts at 0 for non-negative values (losses), and spans the
 * values otherwise (rewards, log-probabilities).
 */
export function curvesSvg(curves: readonly Curve[], o: { title: string; yLabel: string }): string {
  const values = curves.flatMap((c) => c.points.map(([, v]) => v)).filter(Number.isFinite);
  const maxIter = Math.max(1, ...curves.flatMap((c) => c.points.map(([i]) => i)));
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const pad = (hi - lo) * 0.05 || 0.5;
  const [y0, y1] = [lo >= 0 ? Math.max(0, lo - pad) : lo - pad, hi + pad];
  const px = (i: number) => M.left + (i / maxIter) * (W - M.left - M.right);
  const py = (v: number) => H - M.bottom - ((v - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const finite = (xy: [number, number][]) => xy.filter(([, v]) => Number.isFinite(v));
  const path = (xy: [number, number][]) =>
    finite(xy)
      .map(([i, v], k) => `${k ? 'L' : 'M'}${px(i).toFixed(1)},${py(v).toFixed(1)}`)
      .join('');
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(o.title)}</text>`,
  ];
  for (const t of niceTicks(y0, y1, 8)) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${t}</text>`);
  }
  for (const t of niceTicks(0, maxIter)) {
    const x = px(t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${H - M.bottom}" y2="${H - M.bottom + 5}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${H - M.bottom + 18}" text-anchor="middle">${t}</text>`);
  }
  out.push(
    `<path d="M${M.left},${M.top}V${H - M.bottom}H${W - M.right}" fill="none" stroke="#333"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">iteration</text>`,
    `<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
  );
  for (const c of curves) {
    out.push(
      `<path d="${path(c.points)}" fill="none" stroke="${c.color}" stroke-width="${c.markers ? 2 : 1}"/>`,
    );
    if (c.markers)
      for (const [i, v] of finite(c.points))
        out.push(`<circle cx="${px(i).toFixed(1)}" cy="${py(v).toFixed(1)}" r="3" fill="${c.color}"/>`);
  }
  curves.forEach((c, k) => {
    const y = M.top + 10 + k * 18;
    out.push(
      `<line x1="${W - 200}" x2="${W - 180}" y1="${y}" y2="${y}" stroke="${c.color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${W - 174}" y="${y}" dominant-baseline="middle">${esc(c.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * The loss curves of a run: every step's training loss (light), and the evaluated train and
 * validation losses (dark, with markers), over iterations.
 */
export function lossSvg(history: LossHistory, title: string): string {
  return curvesSvg(
    [
      { label: 'train loss (each step)', color: COLORS.step, points: history.steps, markers: false },
      {
        label: 'train loss (eval)',
        color: COLORS.train,
        points: history.evals.map((e) => [e[0], e[1]]),
        markers: true,
      },
      {
        label: 'val loss (eval)',
        color: COLORS.val,
        points: history.evals.map((e) => [e[0], e[2]]),
        markers: true,
      },
    ],
    { title, yLabel: 'loss' },
  );
}

/**
 * A logged metric over a run: its value at every step (light) and at every evaluation (dark, with
 * markers), e.g. PPO's `env/reward_mean` and `eval/reward_mean`.
 */
export function metricSvg(
  history: LossHistory,
  o: { step: string; eval?: string; title: string; yLabel: string },
): string {
  const series = (list: LossHistory['stepMetrics'], name: string | undefined) =>
    (list ?? []).flatMap(([i, m]) =>
      name !== undefined && name in m ? [[i, m[name]!] as [number, number]] : [],
    );
  const curves: Curve[] = [
    { label: o.step, color: COLORS.step, points: series(history.stepMetrics, o.step), markers: false },
  ];
  if (o.eval)
    curves.push({
      label: o.eval,
      color: COLORS.val,
      points: series(history.evalMetrics, o.eval),
      markers: true,
    });
  return curvesSvg(curves, o);
}
