import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contiguousStrides, shapeSize } from '../shape.js';
import type { Tensor } from '../tensor.js';
import {
  elementAt,
  errorOf,
  indicesOf,
  stridedOfShapeArb,
  stridedTensorArb,
  valuesOf,
} from '../testing/index.js';
import { permute, reshape, slice, squeeze, transpose, unsqueeze, view } from './movement.js';

/** Prime factors of n in ascending order ([] for 1). */
function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let p = 2; n > 1; p++) {
    while (n % p === 0) {
      out.push(p);
      n /= p;
    }
  }
  return out;
}

/** A tensor in a random layout and a random shape of the same size (same-order factors half the time). */
const reshapeCase = stridedTensorArb({ maxRank: 4 }, { broadcast: true }).chain((t) => {
  const factors = t.shape.flatMap(primeFactors);
  return fc
    .tuple(
      fc.oneof(fc.constant(factors), fc.shuffledSubarray(factors, { minLength: factors.length })),
      fc.array(fc.boolean(), { minLength: factors.length, maxLength: factors.length }),
      fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
    )
    .map(([order, merge, ones]) => {
      const shape: number[] = [];
      order.forEach((f, i) => {
        if (merge[i] && shape.length > 0) shape[shape.length - 1]! *= f;
        else shape.push(f);
      });
      for (const at of ones) shape.splice(Math.min(at, shape.length), 0, 1);
      return [t, shape] as const;
    });
});

describe('movement properties', () => {
  it('reshape keeps row-major values for any layout and any shape of the same size', () => {
    fc.assert(
      fc.property(reshapeCase, ([t, shape]) => {
        const r = reshape(t, shape);
        expect(r.shape).toEqual(shape);
        expect(valuesOf(r)).toEqual(valuesOf(t));
        expect(valuesOf(reshape(r, t.shape))).toEqual(valuesOf(t));
        expect(valuesOf(reshape(t, [-1]))).toEqual(valuesOf(t));
      }),
    );
  });

  it('view succeeds on every contiguous tensor, and when it succeeds on a strided one it is right', () => {
    fc.assert(
      fc.property(reshapeCase, ([t, shape]) => {
        const c = t.contiguous();
        expect(valuesOf(view(c, shape))).toEqual(valuesOf(t));
        const attempt = errorOf(() => view(t, shape));
        if (attempt.name === 'no error') {
          const v = view(t, shape);
          expect(v.storage).toBe(t.storage);
          expect(valuesOf(v)).toEqual(valuesOf(t));
        } else {
          expect(attempt.name).toBe('ShapeError');
        }
      }),
    );
  });

  it('permute moves elements as the permutation says, and the inverse restores the view', () => {
    const arb = stridedTensorArb({ maxRank: 4 }).chain((t) =>
      fc.tuple(
        fc.constant(t),
        fc.shuffledSubarray(
          t.shape.map((_, i) => i),
          { minLength: t.ndim, maxLength: t.ndim },
        ),
      ),
    );
    fc.assert(
      fc.property(arb, ([t, p]) => {
        const out = permute(t, p);
        for (const index of indicesOf(out.shape)) {
          const source = new Array<number>(t.ndim);
          p.forEach((axis, k) => {
            source[axis] = index[k]!;
          });
          expect(elementAt(out, index)).toBe(elementAt(t, source));
        }
        const inverse = p.map((_, i) => p.indexOf(i));
        const back = permute(out, inverse);
        expect(back.shape).toEqual(t.shape);
        expect(back.strides).toEqual(t.strides);
        expect(transpose(transpose(t, 0, -1), 0, -1).strides).toEqual(t.ndim ? t.strides : []);
      }),
    );
  });

  it('slice picks Python-slice indices along one axis of any layout', () => {
    const bound = fc.option(fc.integer({ min: -7, max: 7 }), { nil: undefined });
    const arb = stridedTensorArb({ minRank: 1, maxRank: 3, maxSize: 5 }).chain((t) =>
      fc.tuple(
        fc.constant(t),
        fc.integer({ min: 0, max: t.ndim - 1 }),
        bound,
        bound,
        fc.integer({ min: 1, max: 3 }),
      ),
    );
    fc.assert(
      fc.property(arb, ([t, dim, start, end, step]) => {
        const size = t.shape[dim]!;
        const norm = (i: number) => Math.min(size, Math.max(0, i < 0 ? i + size : i));
        const picks: number[] = [];
        for (let i = norm(start ?? 0); i < norm(end ?? size); i += step) picks.push(i);
        const out = slice(t, dim, start, end, step);
        expect(out.shape[dim]).toBe(picks.length);
        for (const index of indicesOf(out.shape)) {
          const source = index.map((v, axis) => (axis === dim ? picks[v]! : v));
          expect(elementAt(out, index)).toBe(elementAt(t, source));
        }
      }),
    );
  });

  it('chains of views (transpose, slice, unsqueeze, squeeze, reshape) agree with a naive index model', () => {
    type Step = { op: 'transpose' | 'slice' | 'unsqueeze' | 'squeeze' | 'reshape'; a: number; b: number };
    const stepArb = fc.record({
      op: fc.constantFrom<Step['op']>('transpose', 'slice', 'unsqueeze', 'squeeze', 'reshape'),
      a: fc.nat(),
      b: fc.nat(),
    });
    fc.assert(
      fc.property(stridedOfShapeArb([3, 4, 2]), fc.array(stepArb, { maxLength: 6 }), (t, steps) => {
        // The model: a shape and its row-major values, transformed with plain index arithmetic.
        let shape = [...t.shape];
        let values = valuesOf(t);
        let x: Tensor = t;
        for (const { op, a, b } of steps) {
          const nd = shape.length;
          const oldShape = shape;
          const oldValues = values;
          const read = (index: number[]) =>
            oldValues[index.reduce((at, v, i) => at + v * contiguousStrides(oldShape)[i]!, 0)]!;
          let map: ((index: number[]) => number[]) | null = null;
          if (op === 'transpose' && nd >= 2) {
            const [d0, d1] = [a % nd, b % nd];
            x = transpose(x, d0, d1);
            shape = oldShape.map((_, i) => oldShape[i === d0 ? d1 : i === d1 ? d0 : i]!);
            map = (index) => index.map((_, i) => index[i === d0 ? d1 : i === d1 ? d0 : i]!);
          } else if (op === 'slice' && nd >= 1) {
            const d = a % nd;
            const step = 1 + (b % 2);
            const start = b % Math.max(1, oldShape[d]!);
            x = slice(x, d, start, undefined, step);
            shape = oldShape.map((s, i) => (i === d ? Math.ceil((s - start) / step) : s));
            map = (index) => index.map((v, i) => (i === d ? start + v * step : v));
          } else if (op === 'unsqueeze') {
            const d = a % (nd + 1);
            x = unsqueeze(x, d);
            shape = [...oldShape.slice(0, d), 1, ...oldShape.slice(d)];
            map = (index) => index.filter((_, i) => i !== d);
          } else if (op === 'squeeze' && nd >= 1) {
            const d = a % nd;
            x = squeeze(x, d);
            if (oldShape[d] === 1) {
              shape = oldShape.filter((_, i) => i !== d);
              map = (index) => [...index.slice(0, d), 0, ...index.slice(d)];
            }
          } else if (op === 'reshape') {
            shape = [shapeSize(oldShape)];
            x = reshape(x, shape);
            values = oldValues;
          }
          if (map) values = indicesOf(shape).map((index) => read(map(index)));
          expect(x.shape).toEqual(shape);
        }
        expect(valuesOf(x)).toEqual(values);
      }),
    );
  });
});
