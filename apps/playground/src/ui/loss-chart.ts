import type { EvalEvent, LossHistory, StepEvent } from '@proj/train';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartColumns } from './chart-data.js';

/**
 * The live loss chart (uPlot): every step's training loss, and the evaluated train and val loss.
 * Redraws at most once per animation frame; `data-steps` and `data-evals` on the element count the
 * points drawn, `data-first-val` and `data-last-val` hold the first and last val loss.
 */
export class LossChart {
  private history: LossHistory = { steps: [], evals: [] };
  private readonly plot: uPlot;
  private queued = false;

  constructor(private readonly element: HTMLElement) {
    this.plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 320),
        height: 260,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, { label: 'loss' }],
        series: [
          { label: 'step' },
          { label: 'train (step)', stroke: 'rgba(120, 120, 120, 0.6)', width: 1 },
          {
            label: 'train (eval)',
            stroke: '#1f77b4',
            width: 2,
            points: { show: true, size: 6 },
            spanGaps: true,
          },
          {
            label: 'val (eval)',
            stroke: '#d62728',
            width: 2,
            points: { show: true, size: 6 },
            spanGaps: true,
          },
        ],
      },
      chartColumns(this.history),
      element,
    );
    new ResizeObserver(() =>
      this.plot.setSize({ width: Math.max(element.clientWidth, 320), height: 260 }),
    ).observe(element);
  }

  /** Shows a whole history (a loaded checkpoint's, or a fresh run's empty one). */
  reset(history: LossHistory): void {
    this.history = structuredClone(history);
    this.redraw();
  }

  /** Adds one event of a run. */
  add(event: StepEvent | EvalEvent): void {
    if (event.type === 'step') this.history.steps.push([event.iter, event.loss]);
    else this.history.evals.push([event.iter, event.trainLoss, event.valLoss]);
    this.redraw();
  }

  private redraw(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      this.plot.setData(chartColumns(this.history));
      this.element.dataset.steps = String(this.history.steps.length);
      this.element.dataset.evals = String(this.history.evals.length);
      this.element.dataset.firstVal = String(this.history.evals[0]?.[2] ?? '');
      this.element.dataset.lastVal = String(this.history.evals.at(-1)?.[2] ?? '');
    });
  }
}
