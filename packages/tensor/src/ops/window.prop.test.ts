import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor.js';
import { tensorOfShapeArb } from '../testing/index.js';
import { avgPool2d, maxPool2dWithIndices } from './pool.js';
import { fold, unfold } from './window.js';

/**
 * The window ops against direct loops over PyTorch's definitions, on random geometries: padding up
 * to 3 (wider than small kernels, so some kernel columns never touch the image), strides, dilation,
 * ceil mode.
 */

const geometry = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    c: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 7 }),
    w: fc.integer({ min: 1, max: 7 }),
    k: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    p: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
    d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    ceil: fc.boolean(),
  })
  .filter(
    ({ h, w, k, p, d }) => h + 2 * p[0] >= d[0] * (k[0] - 1) + 1 && w + 2 * p[1] >= d[1] * (k[1] - 1) + 1,
  );

type Geometry = typeof geometry extends fc.Arbitrary<infer G> ? G : never;

/** Windows along one axis, PyTorch's `pooling_output_shape`. */
function windows(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

/** `visit(b, c, oh, ow, elements)` with each window's in-image elements `[row, col, value]`, in window order. */
function eachWindow(
  x: Tensor,
  g: Geometry,
  ceil: boolean,
  visit: (at: number[], elements: number[][]) => void,
) {
  const oh = windows(g.h, g.k[0], g.s[0], g.p[0], g.d[0], ceil);
  const ow = windows(g.w, g.k[1], g.s[1], g.p[1], g.d[1], ceil);
  const v = x.toArray() as number[][][][];
  for (let b = 0; b < g.n; b++)
    for (let c = 0; c < g.c; c++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          const elements: number[][] = [];
          for (let ki = 0; ki < g.k[0]; ki++)
            for (let kj = 0; kj < g.k[1]; kj++) {
              const r = i * g.s[0] - g.p[0] + ki * g.d[0];
              const col = j * g.s[1] - g.p[1] + kj * g.d[1];
              elements.push(r >= 0 && r < g.h && col >= 0 && col < g.w ? [r, col, v[b]![c]![r]![col]!] : []);
            }
          visit([b, c, i, j, oh, ow], elements);
        }
}

const cases = geometry.chain((g) => fc.tuple(fc.constant(g), tensorOfShapeArb([g.n, g.c, g.h, g.w])));

describe('window ops against direct loops', () => {
  it('unfold: column (c·kh + i)·kw + j of window (oh, ow) is that element or 0', () => {
    fc.assert(
      fc.property(cases, ([g, x]) => {
        const cols = unfold(x, g.k, { stride: g.s, padding: g.p, dilation: g.d }).data();
        const K = g.k[0] * g.k[1];
        eachWindow(x, g, false, ([b, c, i, j, , ow], elements) => {
          const L = windows(g.h, g.k[0], g.s[0], g.p[0], g.d[0], false) * ow!;
          elements.forEach((e, e0) => {
            expect(cols[(b! * g.c * K + c! * K + e0) * L + i! * ow! + j!]).toBe(e.length ? e[2] : 0);
          });
        });
      }),
      { numRuns: 80 },
    );
  });

  it('fold is the adjoint of unfold: <unfold(x), y> = <x, fold(y)> (float64)', () => {
    const pairs = cases.chain(([g, x]) => {
      const options = { stride: g.s, padding: g.p, dilation: g.d };
      return fc.tuple(fc.constant({ g, options, x }), tensorOfShapeArb(unfold(x, g.k, options).shape));
    });
    fc.assert(
      fc.property(pairs, ([{ g, options, x }, y]) => {
        const left = unfold(x, g.k, options).mul(y).sum().item();
        const right = x
          .mul(fold(y, [g.h, g.w], g.k, options))
          .sum()
          .item();
        expect(Math.abs(left - right)).toBeLessThan(1e-9 * (1 + Math.abs(left)));
      }),
      { numRuns: 80 },
    );
  });

  it('maxPool2d: the first maximum of the image elements and its position', () => {
    const pools = cases.filter(([g]) => g.p[0] <= g.k[0] / 2 && g.p[1] <= g.k[1] / 2);
    fc.assert(
      fc.property(pools, ([g, x]) => {
        const { values, indices } = maxPool2dWithIndices(x, g.k, {
          stride: g.s,
          padding: g.p,
          dilation: g.d,
          ceilMode: g.ceil,
        });
        const [vs, is] = [values.data(), indices.data()];
        let at = 0;
        eachWindow(x, g, g.ceil, (_, elements) => {
          const inside = elements.filter((e) => e.length);
          const best = inside.reduce(
            (m, e) => (e[2]! > m[2]! ? e : m),
            inside[0] ?? [0, 0, Number.NEGATIVE_INFINITY],
          );
          expect(vs[at]).toBe(best[2]);
          expect(is[at]).toBe(inside.length ? best[0]! * g.w + best[1]! : -1);
          at++;
        });
      }),
      { numRuns: 80 },
    );
  });

  it('avgPool2d: the sum over the window clipped to the padded image, divided as PyTorch', () => {
    const pools = cases.filter(([g]) => g.p[0] <= g.k[0] / 2 && g.p[1] <= g.k[1] / 2);
    fc.assert(
      fc.property(pools, fc.boolean(), ([g, x], countIncludePad) => {
        const plain = { ...g, d: [1, 1] as [number, number] };
        const out = avgPool2d(x, g.k, {
          stride: g.s,
          padding: g.p,
          ceilMode: g.ceil,
          countIncludePad,
        }).data();
        let at = 0;
        eachWindow(x, plain, g.ceil, ([, , i, j], elements) => {
          const inside = elements.filter((e) => e.length);
          const rows = Math.min(i! * g.s[0] - g.p[0] + g.k[0], g.h + g.p[0]) - (i! * g.s[0] - g.p[0]);
          const cols = Math.min(j! * g.s[1] - g.p[1] + g.k[1], g.w + g.p[1]) - (j! * g.s[1] - g.p[1]);
          const sum = inside.reduce((t, e) => t + e[2]!, 0);
          const expected = inside.length === 0 ? 0 : sum / (countIncludePad ? rows * cols : inside.length);
          expect(Math.abs(out[at]! - expected)).toBeLessThan(1e-12);
          at++;
        });
      }),
      { numRuns: 80 },
    );
  });
});
