import { escapeXml, niceTicks, svgOpen } from './svg.js';

/** One curve of a {@link lineChart}. */
export interface Series {
  label: string;
  /** `[x, y]` points in drawing order; non-finite values are skipped (the line breaks there). */
  points: readonly (readonly [number, number])[];
  /** Stroke colour (default: the next colour of the palette). */
  color?: string;
  /** Stroke width (default 2). */
  width?: number;
  /** Draw a dot at every point (default false). */
  markers?: boolean;
  /** Text written beside each point (e.g. `n=4`), index for index; missing entries write nothing. */
  pointLabels?: readonly string[];
  /** Leave the series out of the legend (default false). */
  hideInLegend?: boolean;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Size in pixels (default 720 × 420). */
  width?: number;
  height?: number;
  /** Fixed y range; by default the data's range plus 5%, from 0 when `yFromZero` is set. */
  yRange?: readonly [number, number];
  /** Start the y axis at 0 when the data are non-negative (default true). */
  yFromZero?: boolean;
  /** Start the x axis at 0 (default true). */
  xFromZero?: boolean;
  /** Legend corner (default `'top-right'`). */
  legend?: 'top-right' | 'bottom-right';
}

/** Matplotlib's `tab10` colours. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
];

const MARGIN = { left: 60, right: 20, top: 40, bottom: 50 };

/**
 * Curves on shared axes as a standalone SVG: round ticks, grid lines, axis labels, a legend. One
 * `<path>` per series (and one for the axes), a `<circle>` per marker.
 * @example writeFileSync('loss.svg', lineChart({ title: 'loss', xLabel: 'step', yLabel: 'loss', series: [{ label: 'train', points }] }));
 */
export function lineChart(options: LineChartOptions): string {
  const { width: W = 720, height: H = 420, series } = options;
  const finite = series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const xs = finite.map(([x]) => x);
  const ys = finite.map(([, y]) => y);
  const x0 = options.xFromZero === false && xs.length ? Math.min(...xs) : 0;
  const x1 = Math.max(x0 + 1, ...xs);
  let [y0, y1] = options.yRange ?? [ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1];
  if (!options.yRange) {
    const pad = (y1 - y0) * 0.05 || 0.5;
    y0 = options.yFromZero !== false && y0 >= 0 ? 0 : y0 - pad;
    y1 += pad;
  }
  const px = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * (W - MARGIN.left - MARGIN.right);
  const py = (y: number) => H - MARGIN.bottom - ((y - y0) / (y1 - y0)) * (H - MARGIN.top - MARGIN.bottom);
  const out = svgOpen(W, H, options.title);
  for (const t of niceTicks(y0, y1, 8)) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" x2="${W - MARGIN.right}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${t}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1)) {
    const x = px(t).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${H - MARGIN.bottom}" y2="${H - MARGIN.bottom + 5}" stroke="#333"/>`,
    );
    out.push(`<text x="${x}" y="${H - MARGIN.bottom + 18}" text-anchor="middle">${t}</text>`);
  }
  out.push(
    `<path d="M${MARGIN.left},${MARGIN.top}V${H - MARGIN.bottom}H${W - MARGIN.right}" fill="none" stroke="#333"/>`,
    `<text x="${(MARGIN.left + W - MARGIN.right) / 2}" y="${H - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(16 ${(MARGIN.top + H - MARGIN.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  const colors = series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]!);
  series.forEach((s, i) => {
    let d = '';
    let pen = 'M';
    for (const [x, y] of s.points) {
      if (!(Number.isFinite(x) && Number.isFinite(y))) {
        pen = 'M';
        continue;
      }
      d += `${pen}${px(x).toFixed(1)},${py(y).toFixed(1)}`;
      pen = 'L';
    }
    out.push(`<path d="${d}" fill="none" stroke="${colors[i]}" stroke-width="${s.width ?? 2}"/>`);
    s.points.forEach(([x, y], k) => {
      if (!(Number.isFinite(x) && Number.isFinite(y))) return;
      if (s.markers)
        out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${colors[i]}"/>`);
      const label = s.pointLabels?.[k];
      if (label)
        out.push(
          `<text x="${(px(x) + 6).toFixed(1)}" y="${(py(y) - 6).toFixed(1)}" fill="${colors[i]}">${escapeXml(label)}</text>`,
        );
    });
  });
  const shown = series.map((s, i) => [s, colors[i]!] as const).filter(([s]) => !s.hideInLegend);
  const top =
    options.legend === 'bottom-right' ? H - MARGIN.bottom - 10 - shown.length * 18 : MARGIN.top + 10;
  const left = W - MARGIN.right - 20 - Math.max(0, ...shown.map(([s]) => s.label.length)) * 7 - 30;
  shown.forEach(([s, color], k) => {
    const y = top + k * 18;
    out.push(`<line x1="${left}" x2="${left + 20}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${left + 26}" y="${y}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
