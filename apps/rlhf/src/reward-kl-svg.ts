/** One method on the reward-against-KL chart: a path through its points, a marker on the last. */
export interface RewardKLSeries {
  label: string;
  color: string;
  /** `[KL nats per token, mean score]`, in order (a training run's evaluations, best-of-n's n). */
  points: [number, number][];
  /** Labels written beside the points (e.g. `n=4`), when given. */
  pointLabels?: string[];
}

const W = 720;
const H = 460;
const M = { left: 64, right: 24, top: 44, bottom: 52 };

/** Round ticks over [lo, hi] (steps of 1, 2 or 5 × 10^k). */
function ticks(lo: number, hi: number, count = 6): number[] {
  const raw = (hi - lo) / count || 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    out.push(Number(t.toPrecision(10)));
  return out;
}

/**
 * Mean lexicon score against KL to the base model (nats per token), the methods side by side, as a
 * standalone SVG: the frontier each method traces, the cost in KL of each gain in reward. Written
 * to move to a shared charts package as it is (data in, SVG text out).
 */
export function rewardKLSvg(series: readonly RewardKLSeries[], title: string): string {
  const points = series.flatMap((s) => s.points);
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const [x0, x1] = [0, Math.max(...xs, 1e-3) * 1.08];
  const pad = (Math.max(...ys) - Math.min(...ys)) * 0.08 || 0.5;
  const [y0, y1] = [Math.min(...ys) - pad, Math.max(...ys) + pad];
  const px = (x: number) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${title}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15">${title}</text>`,
  ];
  for (const t of ticks(y0, y1)) {
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#eee"/>`,
    );
    out.push(
      `<text x="${M.left - 6}" y="${py(t).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${t}</text>`,
    );
  }
  for (const t of ticks(x0, x1)) {
    out.push(
      `<line x1="${px(t).toFixed(1)}" x2="${px(t).toFixed(1)}" y1="${H - M.bottom}" y2="${H - M.bottom + 5}" stroke="#333"/>`,
    );
    out.push(`<text x="${px(t).toFixed(1)}" y="${H - M.bottom + 18}" text-anchor="middle">${t}</text>`);
  }
  out.push(
    `<path d="M${M.left},${M.top}V${H - M.bottom}H${W - M.right}" fill="none" stroke="#333"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">KL to the base model (nats per token)</text>`,
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">mean AFINN score of a continuation</text>`,
  );
  series.forEach((s, k) => {
    const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    s.points.forEach(([x, y], i) => {
      const last = i === s.points.length - 1;
      out.push(
        `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="${last ? 5 : 2.5}" fill="${s.color}"/>`,
      );
      const label = s.pointLabels?.[i];
      if (label)
        out.push(
          `<text x="${(px(x) + 6).toFixed(1)}" y="${(py(y) - 6).toFixed(1)}" fill="${s.color}">${label}</text>`,
        );
    });
    const y = M.top + 12 + k * 18;
    out.push(
      `<line x1="${W - 190}" x2="${W - 170}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${W - 164}" y="${y}" dominant-baseline="middle">${s.label}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
