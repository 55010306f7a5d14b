export { type HeatmapOptions, heatmap } from './heatmap.js';
export { type LineChartOptions, lineChart, PALETTE, type Series } from './line-chart.js';
export { escapeXml, niceTicks } from './svg.js';
