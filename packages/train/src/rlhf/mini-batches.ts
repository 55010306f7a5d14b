import type { Generator } from '@proj/tensor';

/**
 * The rows `0…n−1` in mini-batches of `size` for each of `epochs` passes, each pass in a fresh
 * random order drawn from `generator` (Fisher–Yates), as PPO's epochs shuffle the rollout.
 * @throws RangeError for a size or epoch count that is not a positive integer.
 */
export function miniBatches(n: number, size: number, epochs: number, generator: Generator): number[][] {
  for (const [name, value] of [
    ['miniBatchSize', size],
    ['epochs', epochs],
  ] as const) {
    if (!(Number.isInteger(value) && value > 0))
      throw new RangeError(`miniBatches: ${name} must be a positive integer, got ${value}`);
  }
  const out: number[][] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = generator.integer(0, i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < n; start += size) out.push(order.slice(start, start + size));
  }
  return out;
}
