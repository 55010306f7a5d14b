import { noGrad } from '@proj/autograd';
import { tensor } from '@proj/tensor';
import { heatmap } from 'proj-charts';
import type { Codec } from './codec.js';
import type { AnyModel } from './models.js';

/**
 * The attention of `model` while it produces `output` (ids, ending with the end token) from
 * `source`: feeds BOS and the output one token at a time (eval mode) and keeps each step's weights
 * over the source positions. Rows: output tokens; columns: source tokens. Null for a model without
 * attention.
 */
export function attentionWeights(
  model: AnyModel,
  source: readonly number[],
  output: readonly number[],
  bosId: number,
): number[][] | null {
  return noGrad(() => {
    model.eval();
    let state = model.encode(tensor([source as number[]], { dtype: 'int32' }));
    const rows: number[][] = [];
    for (const token of [bosId, ...output.slice(0, -1)]) {
      const step = model.decodeStep(state, tensor([token], { dtype: 'int32' }), { attention: true });
      if (!step.attention) return null;
      rows.push(Array.from(step.attention.data()));
      state = step.state;
    }
    return rows;
  });
}

/** The attention of one translation as an SVG heatmap (rows: output tokens, columns: source tokens). */
export function attentionSvg(
  title: string,
  weights: number[][],
  source: { codec: Codec; ids: readonly number[] },
  output: { codec: Codec; ids: readonly number[] },
): string {
  return heatmap({
    title,
    rows: output.codec.labels(output.ids),
    columns: source.codec.labels(source.ids),
    values: weights,
    rowLabel: 'output',
    columnLabel: 'input',
  });
}
