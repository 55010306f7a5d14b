import type { StridedView } from '../backend.js';

/**
 * Merges adjacent axes that every view walks contiguously, so inner loops run as long as possible.
 * Returns the reduced shape and one stride list per view.
 */
export function coalesce(
  shape: readonly number[],
  views: readonly (readonly number[])[],
): [number[], number[][]] {
  const outShape: number[] = [];
  const outStrides: number[][] = views.map(() => []);
  for (let axis = 0; axis < shape.length; axis++) {
    const d = shape[axis]!;
    if (d === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && views.every((s, v) => outStrides[v]![last] === s[axis]! * d);
    if (mergeable) {
      outShape[last]! *= d;
      views.forEach((s, v) => {
        outStrides[v]![last] = s[axis]!;
      });
    } else {
      outShape.push(d);
      views.forEach((s, v) => outStrides[v]!.push(s[axis]!));
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => s.push(0));
  }
  return [outShape, outStrides];
}

/**
 * Calls `row(offsets, n)` once per innermost row of `shape`, with each view's start offset in
 * `offsets` and the row's length `n`; the innermost strides are the last entry of each stride list.
 */
export function forEachRow(
  shape: readonly number[],
  views: readonly StridedView[],
  row: (offsets: Int32Array | number[], rowIndex: number, n: number, strides: number[]) => void,
): void {
  const [dims, strides] = coalesce(
    shape,
    views.map((v) => v.strides),
  );
  const nd = dims.length;
  const n = dims[nd - 1]!;
  const inner = strides.map((s) => s[nd - 1]!);
  const rows = dims.reduce((p, d) => p * d, 1) / Math.max(n, 1);
  const offsets = views.map((v) => v.offset);
  const counter = new Array<number>(nd - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    row(offsets, r, n, inner);
    for (let axis = nd - 2; axis >= 0; axis--) {
      counter[axis]!++;
      for (let v = 0; v < offsets.length; v++) offsets[v]! += strides[v]![axis]!;
      if (counter[axis]! < dims[axis]!) break;
      counter[axis] = 0;
      for (let v = 0; v < offsets.length; v++) offsets[v]! -= strides[v]![axis]! * dims[axis]!;
    }
  }
}
