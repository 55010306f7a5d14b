import { Generator, randn, type Tensor } from '@proj/tensor';
import { noGrad } from './grad-mode.js';
import { Variable } from './variable.js';

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Central-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5, as PyTorch). */
  atol?: number;
  /**
   * Relative tolerance (default 1e-5; PyTorch's 1e-3 would let a 0.05% error in a gradient rule
   * pass). Float64 central differences with eps 1e-6 agree with a correct rule to about 1e-8
   * relative (truncation eps²·f''' plus rounding 1e-16·|f|/eps).
   */
  rtol?: number;
  /** Seed of the random projection applied to non-scalar outputs (default 0). */
  seed?: number;
}

/** The result of {@link gradcheck}: whether every entry matched, and the worst one. */
export interface GradcheckReport {
  ok: boolean;
  /** Largest |analytic − numeric| over all inputs. */
  maxAbsError: number;
  /** The entry with the largest error relative to the tolerance. */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
}

/**
 * Compares `backward()` with central differences in float64. Inputs are cast to float64 Variables
 * that require grad; a non-scalar output is reduced with a fixed random projection `Σ y ⊙ r`, which
 * checks every output entry at once. An entry passes when `|a − n| <= atol + rtol·|n|`.
 * @example gradcheck((x) => x.tanh().sum(), [randn([3, 4], { dtype: 'float64' })]).ok
 */
export function gradcheck(
  fn: (...inputs: Variable[]) => Variable,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckReport {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-5, seed = 0 } = options;
  const leaves = inputs.map((t) => new Variable(t.to('float64').clone(), { requiresGrad: true }));
  const probe = fn(...leaves);
  const projection = randn(probe.shape, { dtype: 'float64', generator: new Generator(seed) });
  const objective = (out: Variable): number => out.data.to('float64').mul(projection).sum().item();
  probe.mul(projection).sum().backward();

  let maxAbsError = 0;
  let worstScore = -1;
  let worst: GradcheckReport['worst'] = null;
  let ok = true;
  leaves.forEach((leaf, inputIndex) => {
    // the leaf's elements in logical order, perturbed one at a time through a one-element view
    // (`assign` is a tensor-level write: no storage is touched directly)
    const values = leaf.data.data().slice() as Float64Array;
    const flat = leaf.data.view([values.length]);
    const analytic = leaf.grad
      ? (leaf.grad.to('float64').data() as Float64Array)
      : new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const saved = values[i]!;
      const element = flat.narrow(0, i, 1);
      element.assign(saved + eps);
      const plus = noGrad(() => objective(fn(...leaves)));
      element.assign(saved - eps);
      const minus = noGrad(() => objective(fn(...leaves)));
      element.assign(saved);
      const numeric = (plus - minus) / (2 * eps);
      const error = Math.abs(analytic[i]! - numeric);
      const score = error / (atol + rtol * Math.abs(numeric));
      if (!(score <= 1)) ok = false;
      maxAbsError = Math.max(maxAbsError, Number.isNaN(error) ? Number.POSITIVE_INFINITY : error);
      if (score > worstScore || Number.isNaN(score)) {
        worstScore = Number.isNaN(score) ? Number.POSITIVE_INFINITY : score;
        worst = { input: inputIndex, index: i, analytic: analytic[i]!, numeric };
      }
    }
  });
  return { ok, maxAbsError, worst };
}
