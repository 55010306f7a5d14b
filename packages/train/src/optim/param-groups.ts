import type { Variable } from '@proj/autograd';

/** Two parameter groups: weights that decay and parameters that do not. */
export type DecayGroups = [
  { params: Variable[]; weightDecay: number },
  { params: Variable[]; weightDecay: 0 },
];

/**
 * nanoGPT's `configure_optimizers` rule: tensors with two or more dimensions (matmul weights,
 * embeddings) get `weightDecay`; biases and norm gains (one dimension) get none. Accepts
 * `module.namedParameters()` or plain parameters; parameters that do not require grad are skipped.
 *
 * @example new AdamW(decayParamGroups(model.namedParameters(), 0.1), { lr: 1e-3 })
 */
export function decayParamGroups(
  params: Iterable<Variable | [string, Variable]>,
  weightDecay: number,
): DecayGroups {
  const decay: Variable[] = [];
  const noDecay: Variable[] = [];
  for (const item of params) {
    const p = Array.isArray(item) ? item[1] : item;
    if (!p.requiresGrad) continue;
    (p.ndim >= 2 ? decay : noDecay).push(p);
  }
  return [
    { params: decay, weightDecay },
    { params: noDecay, weightDecay: 0 },
  ];
}
