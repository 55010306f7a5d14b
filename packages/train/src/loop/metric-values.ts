import type { Tensor } from '@proj/tensor';
import type { Metrics } from './objective.js';

/**
 * A metric as an objective or a loss computes it: a number, or a one-element tensor that stays where
 * it was computed (in a GPU's memory too) until the loop logs it.
 */
export type MetricValue = number | Tensor;

/** Named metric values (TRL's names: `rewards/accuracies`, …); see {@link MetricValue}. */
export type MetricValues = Record<string, MetricValue>;

/** The tensors of `values`, each checked to hold one element. @throws RangeError naming a metric that does not. */
function tensorEntries(values: MetricValues): [string, Tensor][] {
  const tensors = Object.entries(values).filter((e): e is [string, Tensor] => typeof e[1] !== 'number');
  for (const [name, t] of tensors)
    if (t.size !== 1) throw new RangeError(`metric '${name}' has ${t.size} elements, not 1`);
  return tensors;
}

/**
 * The numbers of `values`, its tensors read concurrently (on the CPU backends it resolves at once):
 * how the training loop reads what an objective logs.
 * @throws RangeError for a tensor metric that is not one element.
 * @example const { accuracy } = await readMetrics(bradleyTerryLoss(chosen, rejected).metrics);
 */
export async function readMetrics(values: MetricValues = {}): Promise<Metrics> {
  const tensors = tensorEntries(values);
  const read = await Promise.all(tensors.map(([, t]) => t.itemAsync()));
  const out: Metrics = { ...(values as Metrics) };
  tensors.forEach(([name], i) => {
    out[name] = read[i]!;
  });
  return out;
}

/**
 * The numbers of `values` read synchronously: for tensors in host memory (the CPU backends; see
 * {@link readMetrics} for any backend).
 * @throws DeviceMemoryError for a tensor in a device's memory; RangeError as {@link readMetrics}.
 */
export function metricNumbers(values: MetricValues = {}): Metrics {
  const out: Metrics = { ...(values as Metrics) };
  for (const [name, t] of tensorEntries(values)) out[name] = t.item();
  return out;
}
