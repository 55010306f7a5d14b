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

/**
 * The loss curves of a run as a standalone SVG: every step's training loss (light), and the
 * evaluated train and validation losses (dark, with markers), over iterations.
 */
export function lossSvg(history: LossHistory, title: string): string {
  const points = [...history.steps.map(([, l]) => l), ...history.evals.flatMap(([, t, v]) => [t, v])].filter(
    Number.isFinite,
  );
  const maxIter = Math.max(1, ...history.steps.map(([i]) => i + 1), ...history.evals.map(([i]) => i));
  const lo = points.length ? Math.min(...points) : 0;
  const hi = points.length ? Math.max(...points) : 1;
  const pad = (hi - lo) * 0.05 || 0.5;
  const [y0, y1] = [Math.max(0, lo - pad), hi + pad];
  const px = (i: number) => M.left + (i / maxIter) * (W - M.left - M.right);
  const py = (l: number) => H - M.bottom - ((l - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const path = (xy: [number, number][]) =>
    xy
      .filter(([, l]) => Number.isFinite(l))
      .map(([i, l], k) => `${k ? 'L' : 'M'}${px(i).toFixed(1)},${py(l).toFixed(1)}`)
      .join('');
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
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
    `<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">loss</text>`,
    `<path d="${path(history.steps)}" fill="none" stroke="${COLORS.step}" stroke-width="1"/>`,
  );
  for (const [key, col] of [
    ['train', 1],
    ['val', 2],
  ] as const) {
    const xy = history.evals.map((e) => [e[0], e[col]] as [number, number]);
    out.push(`<path d="${path(xy)}" fill="none" stroke="${COLORS[key]}" stroke-width="2"/>`);
    for (const [i, l] of xy.filter(([, l]) => Number.isFinite(l)))
      out.push(`<circle cx="${px(i).toFixed(1)}" cy="${py(l).toFixed(1)}" r="3" fill="${COLORS[key]}"/>`);
  }
  const legend: [string, string][] = [
    ['train loss (each step)', COLORS.step],
    ['train loss (eval)', COLORS.train],
    ['val loss (eval)', COLORS.val],
  ];
  legend.forEach(([label, color], k) => {
    const y = M.top + 10 + k * 18;
    out.push(
      `<line x1="${W - 200}" x2="${W - 180}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${W - 174}" y="${y}" dominant-baseline="middle">${label}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
