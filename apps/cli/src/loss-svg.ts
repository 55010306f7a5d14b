import type { LossHistory } from '@proj/train';
import { lineChart } from 'proj-charts';

const COLORS = { step: '#9ec5e8', train: '#1f77b4', val: '#d62728' };

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
      { label: 'train loss (each step)', points: history.steps, color: COLORS.step, width: 1 },
      {
        label: 'train loss (eval)',
        points: history.evals.map(([i, train]) => [i, train] as const),
        color: COLORS.train,
        markers: true,
      },
      {
        label: 'val loss (eval)',
        points: history.evals.map(([i, , val]) => [i, val] as const),
        color: COLORS.val,
        markers: true,
      },
    ],
  });
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
    (list ?? []).flatMap(([i, m]) => (name !== undefined && name in m ? [[i, m[name]!] as const] : []));
  return lineChart({
    title: o.title,
    xLabel: 'iteration',
    yLabel: o.yLabel,
    yFromZero: false,
    series: [
      { label: o.step, points: series(history.stepMetrics, o.step), color: COLORS.step, width: 1 },
      ...(o.eval
        ? [{ label: o.eval, points: series(history.evalMetrics, o.eval), color: COLORS.val, markers: true }]
        : []),
    ],
  });
}
