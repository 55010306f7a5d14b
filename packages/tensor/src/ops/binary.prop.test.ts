import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor.js';
import {
  backendNames,
  broadcastElementAt,
  broadcastPairArb,
  elementAt,
  indicesOf,
  stridedOfShapeArb,
  withBackend,
} from '../testing/index.js';
import {
  add,
  div,
  eq,
  ge,
  gt,
  le,
  logicalAnd,
  logicalOr,
  lt,
  maximum,
  minimum,
  mul,
  ne,
  pow,
  sub,
  where,
} from './binary.js';

const ops: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ['add', add, (x, y) => x + y],
  ['sub', sub, (x, y) => x - y],
  ['mul', mul, (x, y) => x * y],
  ['div', div, (x, y) => x / y],
  ['pow', (a, b) => pow(a.abs(), b), (x, y) => Math.abs(x) ** y],
  ['maximum', maximum, (x, y) => Math.max(x, y)],
  ['minimum', minimum, (x, y) => Math.min(x, y)],
  ['eq', eq, (x, y) => Number(x === y)],
  ['ne', ne, (x, y) => Number(x !== y)],
  ['lt', lt, (x, y) => Number(x < y)],
  ['le', le, (x, y) => Number(x <= y)],
  ['gt', gt, (x, y) => Number(x > y)],
  ['ge', ge, (x, y) => Number(x >= y)],
  ['logicalAnd', logicalAnd, (x, y) => Number(x !== 0 && y !== 0)],
  ['logicalOr', logicalOr, (x, y) => Number(x !== 0 || y !== 0)],
];

/** Two float64 tensors of broadcastable shapes, each in a random strided layout; values include exact ties. */
const pairArb = broadcastPairArb({ maxRank: 4, maxSize: 3 }).chain(([sa, sb]) =>
  fc.tuple(
    stridedOfShapeArb(sa, { broadcast: true, min: -2, max: 2 }).map((t) => t.mul(2).round().div(2)),
    stridedOfShapeArb(sb, { broadcast: true, min: -2, max: 2 }).map((t) => t.mul(2).round().div(2)),
  ),
);

describe.each(backendNames())('binary broadcasting properties (%s backend)', (backend) => {
  it.each(ops)('%s equals a naive float64 loop over the broadcast index space', (_name, op, ref) => {
    const property = fc.property(pairArb, ([a, b]) => {
      const out = op(a, b);
      expect(out.shape.length).toBe(Math.max(a.ndim, b.ndim));
      for (const index of indicesOf(out.shape)) {
        const want = ref(broadcastElementAt(a, index), broadcastElementAt(b, index));
        expect(elementAt(out, index) + 0).toBe(want + 0); // + 0: the sign of a zero max/min is free
      }
    });
    withBackend(backend, () => fc.assert(property, { numRuns: 60 }));
  });

  it('where picks from a or b by a broadcast condition', () => {
    const property = fc.property(pairArb, fc.boolean(), ([a, b], swap) => {
      const cond = swap ? a.gt(0) : b.gt(0);
      const out = where(cond, a, b);
      for (const index of indicesOf(out.shape)) {
        const c = broadcastElementAt(cond, index);
        expect(elementAt(out, index)).toBe(c ? broadcastElementAt(a, index) : broadcastElementAt(b, index));
      }
    });
    withBackend(backend, () => fc.assert(property, { numRuns: 60 }));
  });
});
