import { lineChart, type Series } from 'proj-charts';

/** One method on the reward-against-KL chart: a path through its points, a marker on each. */
export interface RewardKLSeries extends Series {
  color: string;
  /** `[KL nats per token, mean score]`, in order (a training run's evaluations, best-of-n's n). */
  points: [number, number][];
}

/**
 * Mean lexicon score against KL to the base model (nats per token), the methods side by side, as a
 * standalone SVG: the frontier each method traces, the cost in KL of each gain in reward.
 */
export function rewardKLSvg(series: readonly RewardKLSeries[], title: string): string {
  return lineChart({
    title,
    xLabel: 'KL to the base model (nats per token)',
    yLabel: 'mean AFINN score of a continuation',
    yFromZero: false,
    height: 460,
    series: series.map((s) => ({ ...s, width: 1.5, markers: true })),
  });
}

/**
 * The same series with only their points of KL at most `maxKL` (point labels kept with their
 * points): a closer look at the region where the policies that kept their fluency lie.
 */
export function withinKL(series: readonly RewardKLSeries[], maxKL: number): RewardKLSeries[] {
  return series.map((s) => {
    const kept = s.points.flatMap((point, i) => (point[0] <= maxKL ? [i] : []));
    return {
      ...s,
      points: kept.map((i) => s.points[i]!),
      pointLabels: s.pointLabels && kept.map((i) => s.pointLabels![i]!),
    };
  });
}
