import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lineChart } from 'proj-charts';
import type { ModelResult, RunResults } from './run-task.js';

const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
const rate = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** The markdown tables of a run: one row per model and decoding method, baselines last. */
export function resultsMarkdown(results: RunResults): string {
  const lines = [`## ${results.title}`, ''];
  for (const test of Object.keys(results.data.tests)) {
    const metricNames = Object.keys(
      results.models[0]?.tests[test]?.greedy.metrics ?? results.baselines[0]?.tests[test] ?? {},
    );
    lines.push(
      `### ${test} (${results.data.tests[test]} examples)`,
      '',
      `| system | decoding | ${metricNames.join(' | ')} | parameters | training time | training tokens/s | decoding examples/s |`,
      `| --- | --- | ${metricNames.map(() => '---:').join(' | ')} | ---: | ---: | ---: | ---: |`,
    );
    for (const m of results.models)
      for (const method of ['greedy', 'beam'] as const) {
        const scores = m.tests[test]![method];
        if (!scores) continue;
        const decoding = method === 'greedy' ? 'greedy' : `beam ${results.options.beam}`;
        lines.push(
          `| ${m.label} | ${decoding} | ${metricNames.map((k) => percent(scores.metrics[k]!)).join(' | ')} | ${m.parameters.toLocaleString('en-US')} | ${m.train.seconds.toFixed(0)} s | ${rate(m.train.tokensPerSecond)} | ${rate(scores.wordsPerSecond)} |`,
        );
      }
    for (const b of results.baselines)
      lines.push(
        `| ${b.name} | — | ${metricNames.map((k) => percent(b.tests[test]![k]!)).join(' | ')} | — | — | — | — |`,
      );
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

/** Validation loss over training steps or seconds, one curve per model. */
export function curvesSvg(results: RunResults, x: 'step' | 'seconds'): string {
  return lineChart({
    title: `${results.task}: validation loss by training ${x === 'step' ? 'step' : 'time'}`,
    xLabel: x === 'step' ? 'training step' : 'training seconds (this machine)',
    yLabel: 'validation loss (cross-entropy per token)',
    yFromZero: false,
    series: results.models.map((m: ModelResult) => ({
      label: m.label,
      points: m.train.curve.map((p) => [p[x], p.validLoss] as const),
      markers: true,
    })),
  });
}

/** Fraction of test examples right by length, one curve per model (beam search). */
export function accuracyByLengthSvg(results: RunResults, unit: string, test: string): string {
  return lineChart({
    title: `${results.task}: ${test} accuracy by length (beam ${results.options.beam})`,
    xLabel: unit,
    yLabel: 'fraction exactly right',
    yRange: [0, 1],
    xFromZero: false,
    legend: 'top-right',
    series: results.models.map((m) => ({
      label: m.label,
      points: (m.tests[test]?.beam?.byLength ?? []).map(([n, correct]) => [n, correct] as const),
      markers: true,
    })),
  });
}

/** Writes `results.md`, `curves-steps.svg`, `curves-time.svg` and, with a length unit, `accuracy-by-length-<test>.svg`. */
export async function writeReport(out: string, results: RunResults, lengthUnit?: string): Promise<void> {
  await writeFile(join(out, 'results.md'), `${resultsMarkdown(results)}\n`);
  if (results.models.length === 0) return;
  await writeFile(join(out, 'curves-steps.svg'), curvesSvg(results, 'step'));
  await writeFile(join(out, 'curves-time.svg'), curvesSvg(results, 'seconds'));
  if (lengthUnit)
    for (const test of Object.keys(results.data.tests))
      await writeFile(
        join(out, `accuracy-by-length-${test}.svg`),
        accuracyByLengthSvg(results, lengthUnit, test),
      );
}
