import { escapeXml, svgOpen } from './svg.js';

/** Options of {@link heatmap}. */
export interface HeatmapOptions {
  title: string;
  /** Labels of the rows (top to bottom) and columns (left to right). */
  rows: readonly string[];
  columns: readonly string[];
  /** `values[r][c]`, drawn white (≤ `min`) to dark blue (≥ `max`). */
  values: readonly (readonly number[])[];
  /** Colour scale (default 0 … 1, as attention weights). */
  min?: number;
  max?: number;
  /** Axis captions. */
  rowLabel?: string;
  columnLabel?: string;
  /** Cell size in pixels (default 28). */
  cell?: number;
}

/**
 * A matrix as a standalone SVG heatmap: one `<rect>` per cell with its value as a tooltip, row labels
 * on the left, column labels on top, rotated when long. Attention weights: rows are output tokens,
 * columns input tokens.
 * @throws RangeError when `values` is not `rows.length × columns.length`.
 */
export function heatmap(options: HeatmapOptions): string {
  const { rows, columns, values, min = 0, max = 1, cell = 28 } = options;
  if (values.length !== rows.length || values.some((row) => row.length !== columns.length))
    throw new RangeError(
      `heatmap: values must be ${rows.length} × ${columns.length} (rows × columns), got ${values.length} × ${values[0]?.length ?? 0}`,
    );
  const labelWidth = 7 * Math.max(4, ...rows.map((r) => r.length)) + 30;
  const headerHeight = 7 * Math.max(2, ...columns.map((c) => c.length)) + 60;
  const W = Math.max(360, labelWidth + columns.length * cell + 20);
  const H = headerHeight + rows.length * cell + 30;
  const out = svgOpen(W, H, options.title);
  if (options.columnLabel)
    out.push(
      `<text x="${labelWidth + (columns.length * cell) / 2}" y="42" text-anchor="middle" fill="#555">${escapeXml(options.columnLabel)}</text>`,
    );
  if (options.rowLabel)
    out.push(
      `<text transform="translate(14 ${headerHeight + (rows.length * cell) / 2}) rotate(-90)" text-anchor="middle" fill="#555">${escapeXml(options.rowLabel)}</text>`,
    );
  columns.forEach((label, c) => {
    const x = labelWidth + c * cell + cell / 2;
    out.push(
      `<text transform="translate(${x} ${headerHeight - 6}) rotate(-60)" dominant-baseline="middle">${escapeXml(label)}</text>`,
    );
  });
  rows.forEach((label, r) => {
    const y = headerHeight + r * cell + cell / 2;
    out.push(
      `<text x="${labelWidth - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(label)}</text>`,
    );
    values[r]!.forEach((v, c) => {
      const t = Number.isFinite(v) ? Math.min(1, Math.max(0, (v - min) / (max - min || 1))) : 0;
      const fill = `rgb(${Math.round(255 - 247 * t)},${Math.round(255 - 207 * t)},${Math.round(255 - 148 * t)})`;
      out.push(
        `<rect x="${labelWidth + c * cell}" y="${headerHeight + r * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"><title>${escapeXml(`${label} → ${columns[c]}: ${Number.isFinite(v) ? v.toFixed(3) : v}`)}</title></rect>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
