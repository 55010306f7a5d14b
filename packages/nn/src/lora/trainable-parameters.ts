import type { Module } from '../module.js';

/** Counts of {@link trainableParameters}. */
export interface TrainableParameters {
  /** Scalars in parameters with `requiresGrad`. */
  trainable: number;
  /** Scalars in all parameters (a tied parameter counted once). */
  all: number;
  /** `100 · trainable / all`. */
  percent: number;
  /** PEFT's line: `trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364`. */
  summary: string;
}

/**
 * How many parameters train, as PEFT's `get_nb_trainable_parameters` / `print_trainable_parameters`
 * (every parameter once, tied ones included once; position embeddings included, unlike
 * `GPT.numParameters()`).
 * @example trainableParameters(applyLoRA(model, { r: 8 })).summary
 */
export function trainableParameters(model: Module): TrainableParameters {
  let trainable = 0;
  let all = 0;
  for (const p of model.parameters()) {
    all += p.size;
    if (p.requiresGrad) trainable += p.size;
  }
  const percent = all === 0 ? 0 : (100 * trainable) / all;
  const summary = `trainable params: ${grouped(trainable)} || all params: ${grouped(all)} || trainable%: ${percent.toFixed(4)}`;
  return { trainable, all, percent, summary };
}

/** An integer with comma thousands separators, as Python's `f"{n:,d}"` (independent of locale). */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
