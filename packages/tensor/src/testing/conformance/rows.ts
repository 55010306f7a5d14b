import { expect } from 'vitest';
import type { Backend } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import { describeMismatch, firstMismatch, randomF32 } from './helpers.js';
import type { TestApi } from './test-api.js';

/** Row-wise kernels (softmax, norms, cross-entropy) of every backend against the JS reference. */

const SHAPES: [number, number][] = [
  [1, 1],
  [3, 3],
  [2, 17],
  [5, 65],
  [4, 127],
  [17, 128],
  [1, 1000],
];

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-5): void {
  const i = firstMismatch(actual, expected, tol, tol);
  expect(i, `${what}: ${describeMismatch(i, actual, expected)}`).toBe(-1);
}

/** Registers the conformance tests of the row kernels (softmax, norms, cross-entropy) for `backend`. */
export function rowConformance({ describe, it }: TestApi, backend: Backend): void {
  describe('row kernels', () => {
    it('softmax and log-softmax, including -inf (masked) entries and fully masked rows', () => {
      for (const [rows, cols] of SHAPES) {
        const x = randomF32(rows * cols, rows + cols, -10, 10);
        if (cols > 2) x[1] = Number.NEGATIVE_INFINITY;
        if (rows > 2) x.fill(Number.NEGATIVE_INFINITY, cols, 2 * cols);
        for (const log of [false, true]) {
          const expected = new Float32Array(rows * cols);
          const actual = new Float32Array(rows * cols);
          jsBackend.softmax(x, expected, rows, cols, log);
          backend.softmax(x, actual, rows, cols, log);
          expectClose(actual, expected, `softmax [${rows}, ${cols}] log=${log}`);
        }
      }
    });

    it('softmax backward from the output', () => {
      for (const [rows, cols] of SHAPES) {
        const x = randomF32(rows * cols, rows * cols, -4, 4);
        const dy = randomF32(rows * cols, cols);
        for (const log of [false, true]) {
          const y = new Float32Array(rows * cols);
          jsBackend.softmax(x, y, rows, cols, log);
          const expected = new Float32Array(rows * cols);
          const actual = new Float32Array(rows * cols);
          jsBackend.softmaxBackward(y, dy, expected, rows, cols, log);
          backend.softmaxBackward!(y, dy, actual, rows, cols, log);
          expectClose(actual, expected, `softmaxBackward [${rows}, ${cols}] log=${log}`);
        }
      }
    });

    it('attention softmax (scaled, causal and KV-cache shapes) and its backward', () => {
      for (const [batch, L, S] of [
        [1, 1, 1],
        [2, 3, 3],
        [3, 17, 17],
        [2, 5, 65],
        [4, 64, 64],
        [2, 7, 3],
      ] as const)
        for (const causal of [false, true]) {
          const x = randomF32(batch * L * S, L + S, -5, 5);
          const n = x.length;
          const [expected, actual] = [new Float32Array(n), new Float32Array(n)];
          const common = { x, batch, L, S, scale: 0.17, causal };
          jsBackend.attentionSoftmax({ ...common, out: expected });
          backend.attentionSoftmax!({ ...common, out: actual });
          const what = `attentionSoftmax [${batch}, ${L}, ${S}] causal=${causal}`;
          expectClose(actual, expected, what);
          const dy = randomF32(n, 3 * n);
          const [dxRef, dx] = [new Float32Array(n), new Float32Array(n)];
          const y = expected.map((v) => (Number.isNaN(v) ? 0 : v));
          jsBackend.attentionSoftmaxBackward(y, dy, dxRef, batch * L, S, 0.17);
          backend.attentionSoftmaxBackward!(y, dy, dx, batch * L, S, 0.17);
          expectClose(dx, dxRef, `${what} backward`);
        }
    });

    it('layer norm and RMS norm forward and backward, with and without weight and bias', () => {
      for (const [rows, cols] of SHAPES)
        for (const rms of [false, true])
          for (const affine of [false, true]) {
            const x = randomF32(rows * cols, rows + 3 * cols, -3, 5);
            const weight = affine ? randomF32(cols, cols, 0.5, 1.5) : null;
            const bias = affine ? randomF32(cols, cols + 1) : null;
            const dy = randomF32(rows * cols, 7 * cols);
            const what = `norm [${rows}, ${cols}] rms=${rms} affine=${affine}`;
            const results = [jsBackend, backend].map((b) => {
              const mean = new Float32Array(rows);
              const rstd = new Float32Array(rows);
              const out = new Float32Array(rows * cols);
              const common = { x, weight, mean, rstd, rows, cols, rms };
              b.layerNorm!({ ...common, bias, out, eps: 1e-5 });
              const dx = new Float32Array(rows * cols);
              const dweight = new Float32Array(cols);
              const dbias = new Float32Array(cols);
              // Both backends run the backward from the reference statistics.
              return { out, mean, rstd, dx, dweight, dbias, common };
            });
            const [ref, got] = results as [(typeof results)[0], (typeof results)[0]];
            expectClose(got.out, ref.out, `${what} out`);
            expectClose(got.rstd, ref.rstd, `${what} rstd`);
            if (!rms) expectClose(got.mean, ref.mean, `${what} mean`);
            for (const [b, r] of [
              [jsBackend, ref],
              [backend, got],
            ] as const) {
              b.layerNormBackward!({
                ...ref.common,
                dy,
                dx: r.dx,
                dweight: affine ? r.dweight : null,
                dbias: affine ? r.dbias : null,
              });
            }
            expectClose(got.dx, ref.dx, `${what} dx`, 1e-4);
            expectClose(got.dweight, ref.dweight, `${what} dweight`, 1e-4);
            expectClose(got.dbias, ref.dbias, `${what} dbias`, 1e-4);
          }
    });

    it('cross-entropy forward and backward, label smoothing and ignored rows', () => {
      for (const [rows, classes] of SHAPES)
        for (const labelSmoothing of [0, 0.1]) {
          const logits = randomF32(rows * classes, rows + classes, -6, 6);
          const targets = Int32Array.from({ length: rows }, (_, r) => (r * 7) % classes);
          if (rows > 2) targets[1] = -100;
          const common = { logits, targets, rows, classes, ignoreIndex: -100, labelSmoothing };
          const out = [jsBackend, backend].map((b) => {
            const losses = new Float32Array(rows);
            const lse = new Float32Array(rows);
            b.crossEntropy!({ ...common, losses, lse });
            return { losses, lse };
          });
          const what = `crossEntropy [${rows}, ${classes}] s=${labelSmoothing}`;
          expectClose(out[1]!.losses, out[0]!.losses, `${what} losses`);
          expectClose(out[1]!.lse, out[0]!.lse, `${what} lse`);
          for (const scale of [0.25, randomF32(rows, 3)]) {
            const grads = [jsBackend, backend].map((b) => {
              const dlogits = new Float32Array(rows * classes).fill(Number.NaN);
              b.crossEntropyBackward!({ ...common, lse: out[0]!.lse, scale, dlogits });
              return dlogits;
            });
            expectClose(grads[1]!, grads[0]!, `${what} dlogits`);
          }
        }
    });

    it('empty blocks ([rows, 0] and [0, cols]) match the reference', () => {
      for (const [rows, cols] of [
        [3, 0],
        [0, 5],
      ] as const) {
        const x = new Float32Array(rows * cols);
        const stats = () => ({ mean: new Float32Array(rows), rstd: new Float32Array(rows) });
        const [ref, got] = [stats(), stats()];
        const common = {
          x,
          weight: null,
          bias: null,
          out: new Float32Array(0),
          rows,
          cols,
          eps: 1e-5,
          rms: false,
        };
        jsBackend.layerNorm({ ...common, ...ref });
        backend.layerNorm!({ ...common, ...got });
        expect([...got.rstd]).toEqual([...ref.rstd]);
        expect([...got.mean]).toEqual([...ref.mean]);
        backend.softmax(x, new Float32Array(0), rows, cols, false);
        const ce = {
          logits: x,
          targets: new Int32Array(rows),
          rows,
          classes: cols,
          ignoreIndex: 0,
          labelSmoothing: 0,
        };
        const [l1, l2] = [new Float32Array(rows), new Float32Array(rows)];
        jsBackend.crossEntropy({ ...ce, losses: l1, lse: new Float32Array(rows) });
        backend.crossEntropy!({ ...ce, losses: l2, lse: new Float32Array(rows) });
        expect([...l2]).toEqual([...l1]);
      }
    });

    it('cross-entropy rejects out-of-range targets', () => {
      const args = {
        logits: new Float32Array(6),
        losses: new Float32Array(2),
        lse: new Float32Array(2),
        targets: Int32Array.of(1, 3),
        rows: 2,
        classes: 3,
        ignoreIndex: -100,
        labelSmoothing: 0,
      };
      expect(() => backend.crossEntropy!(args)).toThrow(RangeError);
    });
  });
}
