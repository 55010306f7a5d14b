import type { GatherArgs, IndexAddArgs, IndexSelectArgs, ScatterAddArgs } from '../backend.js';

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

/** True when `index` lies in `[0, size)`. */
const inRange = (index: number, size: number) => index >= 0 && index < size;

/** The value of an element whose index is out of range (see {@link GatherArgs}): NaN, or 0 where there is none. */
const poisonOf = (out: GatherArgs['out']) =>
  out instanceof Float32Array || out instanceof Float64Array ? Number.NaN : 0;

/** Gather along the middle axis; see {@link GatherArgs}. */
export function gather({ x, index, out, outer, size, count, inner }: GatherArgs): void {
  const poison = poisonOf(out);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < count; i++) {
      const at = (o * count + i) * inner;
      for (let j = 0; j < inner; j++) {
        const id = index[at + j]!;
        out[at + j] = inRange(id, size) ? x[(o * size + id) * inner + j]! : poison;
      }
    }
  }
}

/** Scatter-add along the middle axis, sources in order of `i`; see {@link ScatterAddArgs}. */
export function scatterAdd({ src, index, out, outer, size, count, inner }: ScatterAddArgs): void {
  const logical = out instanceof Uint8Array;
  const poison = poisonOf(out);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < count; i++) {
      const at = (o * count + i) * inner;
      for (let j = 0; j < inner; j++) {
        const id = index[at + j]!;
        if (!inRange(id, size)) {
          if (poison !== 0) for (let r = 0; r < size; r++) out[(o * size + r) * inner + j] = poison;
          continue;
        }
        const to = (o * size + id) * inner + j;
        out[to] = logical ? out[to]! | src[at + j]! : out[to]! + src[at + j]!;
      }
    }
  }
}
