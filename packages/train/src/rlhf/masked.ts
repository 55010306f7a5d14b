import { stack, Variable } from '@proj/autograd';
import { ShapeError, type Tensor, zerosLike } from '@proj/tensor';

/**
 * Mean of `x` where `mask` is 1 (TRL's `masked_mean`): `Σ x·mask / Σ mask`, differentiable in a
 * Variable `x`.
 * @throws RangeError when the mask selects nothing; ShapeError when the shapes differ.
 */
export function maskedMean(x: Variable | Tensor, mask: Tensor): Variable {
  const v = x instanceof Variable ? x : new Variable(x);
  return v
    .mul(mask)
    .sum()
    .div(maskCount('maskedMean', v.data, mask));
}

/**
 * Variance of `x` where `mask` is 1 (TRL's `masked_var`), with Bessel's correction
 * `n / (n − 1)` unless `unbiased` is false. Computed in the float64 of JavaScript numbers.
 * @throws RangeError when the mask selects fewer than 2 entries (1 when biased).
 */
export function maskedVariance(x: Tensor, mask: Tensor, unbiased = true): number {
  const n = maskCount('maskedVariance', x, mask);
  if (unbiased && n < 2)
    throw new RangeError(`maskedVariance: the mask selects ${n} entry, an unbiased variance needs 2`);
  const values = x.contiguous().data();
  const m = mask.contiguous().data();
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]! * m[i]!;
  mean /= n;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - mean) ** 2 * m[i]!;
  return (sum / n) * (unbiased ? n / (n - 1) : 1);
}

/**
 * Whitens `x` over the entries `mask` selects (TRL's `masked_whiten`): `(x − mean)/√(var + 1e−8)`
 * with the unbiased variance, the mean added back when `shiftMean` is false. Every entry is
 * transformed (those outside the mask too), as TRL does; losses mask them out.
 */
export function whiten(x: Tensor, mask: Tensor, options: { shiftMean?: boolean } = {}): Tensor {
  const n = maskCount('whiten', x, mask);
  const mean = x.mul(mask).sum().item() / n;
  const scale = 1 / Math.sqrt(maskedVariance(x, mask) + 1e-8);
  const whitened = x.sub(mean).mul(scale);
  return (options.shiftMean ?? true) ? whitened : whitened.add(mean);
}

/**
 * `log σ(x)`, stable for any `x` and with PyTorch's gradient `1 − σ(x)` everywhere (also at 0):
 * the second entry of `logSoftmax([0, x])`.
 */
export function logSigmoid(x: Variable): Variable {
  return stack([new Variable(zerosLike(x.data)), x], -1)
    .logSoftmax(-1)
    .select(-1, 1);
}

/** How many entries a 0/1 `mask` shaped like `x` selects. @throws ShapeError, RangeError when none. */
function maskCount(op: string, x: Tensor, mask: Tensor): number {
  if (mask.shape.length !== x.shape.length || mask.shape.some((d, i) => d !== x.shape[i]))
    throw new ShapeError(
      `${op}: mask [${mask.shape.join(', ')}] must have the shape of x [${x.shape.join(', ')}]`,
    );
  const n = mask.sum().item();
  if (!(n > 0)) throw new RangeError(`${op}: the mask selects no entry`);
  return n;
}
