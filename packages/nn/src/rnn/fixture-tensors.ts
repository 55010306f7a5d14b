import { type DType, ShapeError, type Tensor, tensor } from '@proj/tensor';

/** Test support: a tensor as the fixture scripts under tooling/fixtures write it. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** The fixture tensor as a {@link Tensor} (float32 unless `dtype` says otherwise). */
export function fromFixture(f: FixtureTensor, dtype: DType = 'float32'): Tensor {
  return tensor(f.data, { shape: f.shape, dtype });
}

/** Every entry of a fixture state dict as tensors. */
export function stateDictFromFixture(record: Record<string, FixtureTensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fromFixture(v)]));
}

/**
 * Largest `|a − b|` over all entries.
 * @throws ShapeError when the shapes differ.
 */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i]))
    throw new ShapeError(`maxAbsDiff: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  const x = a.to('float64').data();
  const y = b.to('float64').data();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  return Number.isNaN(worst) ? Number.POSITIVE_INFINITY : worst;
}
