import type { GatherArgs, IndexAddArgs, IndexBlocks, IndexSelectArgs, ScatterAddArgs } from '../backend.js';

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

/**
 * Calls `visit(at, column)` for each element `at` of `[outer, count, inner]` blocks in order (of `i`
 * within each column), `column` being where its column `(o, ·, j)` starts in `[outer, size, inner]`.
 */
function forEachIndexed(
  { outer, size, count, inner }: IndexBlocks,
  visit: (at: number, column: number) => void,
): void {
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < count; i++)
      for (let j = 0; j < inner; j++) visit((o * count + i) * inner + j, o * size * inner + j);
}

/** Gather along the middle axis; see {@link GatherArgs}. */
export function gather({ x, index, out, ...blocks }: GatherArgs): void {
  const poison = poisonOf(out);
  forEachIndexed(blocks, (at, column) => {
    const id = index[at]!;
    out[at] = inRange(id, blocks.size) ? x[column + id * blocks.inner]! : poison;
  });
}

/** Scatter-add along the middle axis, sources in order of `i`; see {@link ScatterAddArgs}. */
export function scatterAdd({ src, index, out, ...blocks }: ScatterAddArgs): void {
  const { size, inner } = blocks;
  const logical = out instanceof Uint8Array;
  const poison = poisonOf(out);
  forEachIndexed(blocks, (at, column) => {
    const id = index[at]!;
    if (inRange(id, size)) {
      const to = column + id * inner;
      out[to] = logical ? out[to]! | src[at]! : out[to]! + src[at]!;
    } else if (poison !== 0) for (let r = 0; r < size; r++) out[column + r * inner] = poison;
  });
}
