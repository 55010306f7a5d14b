import type { IndexAddArgs, IndexSelectArgs } from '../backend.js';

/** Row gather; see {@link IndexSelectArgs}. */
export function indexSelect({ x, index, out, outer, size, count, inner }: IndexSelectArgs): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < count; i++) {
      const from = (o * size + index[i]!) * inner;
      out.set(x.subarray(from, from + inner) as never, (o * count + i) * inner);
    }
  }
}

/** Row scatter-add, in order of the index; see {@link IndexAddArgs}. */
export function indexAdd({ src, index, out, outer, size, count, inner }: IndexAddArgs): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < count; i++) {
      const to = (o * size + index[i]!) * inner;
      const from = (o * count + i) * inner;
      for (let j = 0; j < inner; j++) out[to + j]! += src[from + j]!;
    }
  }
}
