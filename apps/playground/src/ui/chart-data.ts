import type { LossHistory } from '@proj/train';

/** uPlot's columns: steps, then the step loss, the evaluated train loss and val loss (null where none). */
export type ChartColumns = [number[], (number | null)[], (number | null)[], (number | null)[]];

/**
 * The loss history as aligned columns on one step axis: every optimizer step's loss, and the
 * evaluations at the step counts they ran after (an evaluation at step n saw n steps; a step's loss
 * is plotted at its count of steps done, `iter + 1`). NaN (a val loss without a validation set) is a gap.
 */
export function chartColumns(history: LossHistory): ChartColumns {
  const rows = new Map<number, [number | null, number | null, number | null]>();
  const row = (x: number) => {
    let r = rows.get(x);
    if (!r) rows.set(x, (r = [null, null, null]));
    return r;
  };
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  for (const [iter, loss] of history.steps) row(iter + 1)[0] = finite(loss);
  for (const [iter, train, val] of history.evals) {
    const r = row(iter);
    r[1] = finite(train);
    r[2] = finite(val);
  }
  const xs = [...rows.keys()].sort((a, b) => a - b);
  return [xs, xs.map((x) => rows.get(x)![0]), xs.map((x) => rows.get(x)![1]), xs.map((x) => rows.get(x)![2])];
}
