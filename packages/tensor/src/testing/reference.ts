import type { Tensor } from '../tensor.js';

/**
 * Slow, obviously correct readers for checking ops and kernels: they walk a tensor's strides one
 * element at a time and never call a kernel, so a test can compare a result with values computed
 * independently (by hand, or by a plain float64 loop).
 */

/** Nested arrays of expected values (booleans compare as 0/1). */
export type NestedNumbers = number | boolean | readonly NestedNumbers[];

/** Every multi-index of `shape` in row-major order (one empty index for a 0-d shape). */
export function indicesOf(shape: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const d of shape) {
    const next: number[][] = [];
    for (const prefix of out) for (let i = 0; i < d; i++) next.push([...prefix, i]);
    out = next;
  }
  return out;
}

/** The element of `t` at multi-index `index`, read straight from storage through the strides. */
export function elementAt(t: Tensor, index: readonly number[]): number {
  if (index.length !== t.ndim)
    throw new Error(`elementAt: index [${index}] has the wrong rank for [${t.shape}]`);
  let at = t.offset;
  index.forEach((i, axis) => {
    if (!(i >= 0 && i < t.shape[axis]!))
      throw new Error(`elementAt: index [${index}] is outside [${t.shape}]`);
    at += i * t.strides[axis]!;
  });
  return t.storage[at]!;
}

/**
 * The element of `t` that NumPy broadcasting places at `index` of a larger result: leading axes `t`
 * lacks are dropped and its size-1 axes pinned to 0.
 */
export function broadcastElementAt(t: Tensor, index: readonly number[]): number {
  const own = index.slice(index.length - t.ndim).map((v, axis) => (t.shape[axis] === 1 ? 0 : v));
  return elementAt(t, own);
}

/** All elements of `t` in row-major order, read one by one through the strides. */
export function valuesOf(t: Tensor): number[] {
  return indicesOf(t.shape).map((index) => elementAt(t, index));
}

/** The shape and row-major values of rectangular nested arrays. @throws Error for ragged input. */
export function flattenNested(expected: NestedNumbers): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  for (let level: NestedNumbers = expected; Array.isArray(level); level = level[0] as NestedNumbers) {
    shape.push(level.length);
  }
  const values: number[] = [];
  const walk = (node: NestedNumbers, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw new Error('flattenNested: ragged array');
      values.push(Number(node));
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) throw new Error('flattenNested: ragged array');
    for (const child of node) walk(child as NestedNumbers, depth + 1);
  };
  walk(expected, 0);
  return { shape, values };
}

/** Tolerances of {@link assertClose}: `|actual - expected| <= atol + rtol * |expected|`. */
export interface CloseOptions {
  atol?: number;
  rtol?: number;
}

/**
 * Throws unless `actual` has the shape of `expected` and every value is within tolerance (default:
 * exactly equal). NaN matches only NaN; infinities match only the same infinity. Values are read
 * through strides, so `actual` may be any view.
 */
export function assertClose(
  actual: Tensor,
  expected: Tensor | NestedNumbers,
  options: CloseOptions = {},
): void {
  const { atol = 0, rtol = 0 } = options;
  const want =
    typeof expected === 'object' && expected !== null && !Array.isArray(expected)
      ? { shape: [...(expected as Tensor).shape], values: valuesOf(expected as Tensor) }
      : flattenNested(expected as NestedNumbers);
  if (want.shape.length !== actual.ndim || want.shape.some((d, i) => d !== actual.shape[i])) {
    throw new Error(`assertClose: shape [${actual.shape}] differs from expected [${want.shape}]`);
  }
  const got = valuesOf(actual);
  want.values.forEach((w, i) => {
    const g = got[i]!;
    const ok =
      Number.isNaN(w) || !Number.isFinite(w)
        ? Object.is(g, w) || (Number.isNaN(w) && Number.isNaN(g)) || g === w
        : Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!ok) {
      throw new Error(
        `assertClose: element ${i} (index [${indicesOf(actual.shape)[i]}]) is ${g}, expected ${w} (atol ${atol}, rtol ${rtol})`,
      );
    }
  });
}

/** The name and message of what `fn` throws (`{ name: 'no error' }` when it returns), for exact assertions. */
export function errorOf(fn: () => unknown): { name: string; message: string } {
  try {
    fn();
  } catch (error) {
    const e = error as Error;
    return { name: e.name, message: e.message };
  }
  return { name: 'no error', message: '' };
}
