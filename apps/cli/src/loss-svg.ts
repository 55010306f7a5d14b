import type { LossHistory } from '@proj/train';
import { lineChart } from 'proj-charts';

/**
 * The loss curves of a run as a standalone SVG: every step's training loss (light), and the
 * evaluated train and validation losses (dark, with markers), over iterations.
 */
export function lossSvg(history: LossHistory, title: string): string {
  return lineChart({
    title,
    xLabel: 'iteration',
    yLabel: 'loss',
    yFromZero: false,
    series: [
      { label: 'train loss (each step)', points: history.steps, color: '#9ec5e8', width: 1 },
      {
        label: 'train loss (eval)',
        points: history.evals.map(([i, train]) => [i, train] as const),
        color: '#1f77b4',
        markers: true,
      },
      {
        label: 'val loss (eval)',
        points: history.evals.map(([i, , val]) => [i, val] as const),
        color: '#d62728',
        markers: true,
      },
    ],
  });
}
