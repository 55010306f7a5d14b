import { expect } from 'vitest';
import type { CrossEntropyArgs, CrossEntropyBackwardArgs } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import type { AnyBackend } from '../../backend/registry.js';
import { runKernel } from './harness.js';
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
export function rowConformance(api: TestApi, backend: AnyBackend): void {
  const { describe, it } = api;
  describe('row kernels', () => {
    if (backend.softmax)
      it('softmax and log-softmax, including -inf (masked) entries and fully masked rows', async () => {
        for (const [rows, cols] of SHAPES) {
          const x = randomF32(rows * cols, rows + cols, -10, 10);
          if (cols > 2) x[1] = Number.NEGATIVE_INFINITY;
          if (rows > 2) x.fill(Number.NEGATIVE_INFINITY, cols, 2 * cols);
          for (const log of [false, true]) {
            const expected = new Float32Array(rows * cols);
            jsBackend.softmax(x, expected, rows, cols, log);
            const { out } = await runKernel(
              backend,
              { x, out: new Float32Array(rows * cols) },
              ['out'],
              (a) => backend.softmax!(a.x, a.out, rows, cols, log),
            );
            expectClose(out, expected, `softmax [${rows}, ${cols}] log=${log}`);
          }
        }
      });

    if (backend.softmaxBackward)
      it('softmax backward from the output', async () => {
        for (const [rows, cols] of SHAPES) {
          const x = randomF32(rows * cols, rows * cols, -4, 4);
          const dy = randomF32(rows * cols, cols);
          for (const log of [false, true]) {
            const y = new Float32Array(rows * cols);
            jsBackend.softmax(x, y, rows, cols, log);
            const expected = new Float32Array(rows * cols);
            jsBackend.softmaxBackward(y, dy, expected, rows, cols, log);
            const { dx } = await runKernel(
              backend,
              { y, dy, dx: new Float32Array(rows * cols) },
              ['dx'],
              (a) => backend.softmaxBackward!(a.y, a.dy, a.dx, rows, cols, log),
            );
            expectClose(dx, expected, `softmaxBackward [${rows}, ${cols}] log=${log}`);
          }
        }
      });

    if (backend.attentionSoftmax && backend.attentionSoftmaxBackward)
      it('attention softmax (scaled, causal and KV-cache shapes) and its backward', async () => {
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
            const expected = new Float32Array(n);
            const common = { batch, L, S, scale: 0.17, causal };
            jsBackend.attentionSoftmax({ ...common, x, out: expected });
            const { out } = await runKernel(
              backend,
              { ...common, x, out: new Float32Array(n) },
              ['out'],
              (a) => backend.attentionSoftmax!(a),
            );
            const what = `attentionSoftmax [${batch}, ${L}, ${S}] causal=${causal}`;
            expectClose(out, expected, what);
            const dy = randomF32(n, 3 * n);
            const dxRef = new Float32Array(n);
            const y = expected.map((v) => (Number.isNaN(v) ? 0 : v));
            jsBackend.attentionSoftmaxBackward(y, dy, dxRef, batch * L, S, 0.17);
            const { dx } = await runKernel(backend, { y, dy, dx: new Float32Array(n) }, ['dx'], (a) =>
              backend.attentionSoftmaxBackward!(a.y, a.dy, a.dx, batch * L, S, 0.17),
            );
            expectClose(dx, dxRef, `${what} backward`);
          }
      });

    if (backend.layerNorm && backend.layerNormBackward)
      it('layer norm and RMS norm forward and backward, with and without weight and bias', async () => {
        for (const [rows, cols] of SHAPES)
          for (const rms of [false, true])
            for (const affine of [false, true]) {
              const x = randomF32(rows * cols, rows + 3 * cols, -3, 5);
              const weight = affine ? randomF32(cols, cols, 0.5, 1.5) : null;
              const bias = affine ? randomF32(cols, cols + 1) : null;
              const dy = randomF32(rows * cols, 7 * cols);
              const what = `norm [${rows}, ${cols}] rms=${rms} affine=${affine}`;
              const forward = (b: AnyBackend) =>
                runKernel(
                  b,
                  {
                    x,
                    weight,
                    bias,
                    rows,
                    cols,
                    rms,
                    eps: 1e-5,
                    out: new Float32Array(rows * cols),
                    mean: new Float32Array(rows),
                    rstd: new Float32Array(rows),
                  },
                  ['out', 'mean', 'rstd'],
                  (a) => b.layerNorm!(a),
                );
              const [ref, got] = [await forward(jsBackend), await forward(backend)];
              expectClose(got.out, ref.out, `${what} out`);
              expectClose(got.rstd, ref.rstd, `${what} rstd`);
              if (!rms) expectClose(got.mean, ref.mean, `${what} mean`);
              // Both backends run the backward from the reference statistics.
              const backward = (b: AnyBackend) =>
                runKernel(
                  b,
                  {
                    dy,
                    x,
                    weight,
                    mean: ref.mean,
                    rstd: ref.rstd,
                    rows,
                    cols,
                    rms,
                    dx: new Float32Array(rows * cols),
                    dweight: affine ? new Float32Array(cols) : null,
                    dbias: affine ? new Float32Array(cols) : null,
                  },
                  ['dx', ...(affine ? (['dweight', 'dbias'] as const) : [])],
                  (a) => b.layerNormBackward!(a),
                );
              const [gradRef, grad] = [await backward(jsBackend), await backward(backend)];
              expectClose(grad.dx, gradRef.dx, `${what} dx`, 1e-4);
              if (affine) {
                expectClose(grad.dweight!, gradRef.dweight!, `${what} dweight`, 1e-4);
                expectClose(grad.dbias!, gradRef.dbias!, `${what} dbias`, 1e-4);
              }
            }
      });

    if (backend.crossEntropy && backend.crossEntropyBackward)
      it('cross-entropy forward and backward, label smoothing and ignored rows', async () => {
        for (const [rows, classes] of SHAPES)
          for (const labelSmoothing of [0, 0.1]) {
            const logits = randomF32(rows * classes, rows + classes, -6, 6);
            const targets = Int32Array.from({ length: rows }, (_, r) => (r * 7) % classes);
            if (rows > 2) targets[1] = -100;
            const common = { logits, targets, rows, classes, ignoreIndex: -100, labelSmoothing };
            const what = `crossEntropy [${rows}, ${classes}] s=${labelSmoothing}`;
            const [ref, got] = [await crossEntropy(jsBackend, common), await crossEntropy(backend, common)];
            expectClose(got.losses, ref.losses, `${what} losses`);
            expectClose(got.lse, ref.lse, `${what} lse`);
            for (const scale of [0.25, randomF32(rows, 3)]) {
              const backward = { ...common, lse: ref.lse, scale };
              const [gradRef, grad] = [
                await crossEntropyBackward(jsBackend, backward),
                await crossEntropyBackward(backend, backward),
              ];
              expectClose(grad, gradRef, `${what} dlogits`);
            }
          }
      });

    if (backend.layerNorm && backend.crossEntropy && backend.softmax)
      it('empty blocks ([rows, 0] and [0, cols]) match the reference', async () => {
        for (const [rows, cols] of [
          [3, 0],
          [0, 5],
        ] as const) {
          const x = new Float32Array(rows * cols);
          const norm = (b: AnyBackend) =>
            runKernel(
              b,
              {
                x,
                weight: null,
                bias: null,
                out: new Float32Array(0),
                mean: new Float32Array(rows),
                rstd: new Float32Array(rows),
                rows,
                cols,
                eps: 1e-5,
                rms: false,
              },
              ['mean', 'rstd'],
              (a) => b.layerNorm!(a),
            );
          const [ref, got] = [await norm(jsBackend), await norm(backend)];
          expect([...got.rstd]).toEqual([...ref.rstd]);
          expect([...got.mean]).toEqual([...ref.mean]);
          const { out } = await runKernel(backend, { x, out: new Float32Array(0) }, ['out'], (a) =>
            backend.softmax!(a.x, a.out, rows, cols, false),
          );
          expect(out.length).toBe(0);
          const ce = {
            logits: x,
            targets: new Int32Array(rows),
            rows,
            classes: cols,
            ignoreIndex: 0,
            labelSmoothing: 0,
          };
          const [l1, l2] = [await crossEntropy(jsBackend, ce), await crossEntropy(backend, ce)];
          expect([...l2.losses]).toEqual([...l1.losses]);
        }
      });

    badTargetConformance(api, backend);
  });
}

/** Cross-entropy targets of two rows of three classes: the second is out of range. */
const BAD_TARGET = {
  logits: Float32Array.of(0.5, -1, 2, 1, 0, -3),
  targets: Int32Array.of(1, 3),
  rows: 2,
  classes: 3,
  ignoreIndex: -100,
  labelSmoothing: 0,
};

/**
 * What an out-of-range cross-entropy target does: a host kernel throws a RangeError; a device kernel
 * cannot throw, so it writes NaN for that row's loss, lse and gradient (and computes the other rows).
 */
function badTargetConformance({ it }: TestApi, backend: AnyBackend): void {
  if (backend.memory === 'host') {
    if (backend.crossEntropy)
      it('cross-entropy rejects out-of-range targets with a RangeError (host memory)', () => {
        const args = { ...BAD_TARGET, losses: new Float32Array(2), lse: new Float32Array(2) };
        expect(() => backend.crossEntropy!(args)).toThrow(RangeError);
      });
    return;
  }
  if (backend.crossEntropy && backend.crossEntropyBackward)
    it('cross-entropy of an out-of-range or negative target gives NaN loss, lse and gradient in that row (device memory)', async () => {
      for (const bad of [3, 7, -1]) {
        const common = { ...BAD_TARGET, targets: Int32Array.of(1, bad) };
        const got = await crossEntropy(backend, common);
        // the good row as the reference computes it with the bad target replaced by a valid class
        const ref = await crossEntropy(jsBackend, { ...common, targets: Int32Array.of(1, 0) });
        const what = `target ${bad} of 3 classes`;
        expectClose(got.losses, [ref.losses[0]!, Number.NaN], `${what}: losses`);
        expectClose(got.lse, [ref.lse[0]!, Number.NaN], `${what}: lse`);
        const backward = { ...common, lse: ref.lse, scale: 0.5 };
        const dlogits = await crossEntropyBackward(backend, backward);
        const gradRef = await crossEntropyBackward(jsBackend, { ...backward, targets: Int32Array.of(1, 0) });
        expectClose(
          dlogits,
          [...gradRef.subarray(0, 3), Number.NaN, Number.NaN, Number.NaN],
          `${what}: dlogits`,
        );
      }
    });
}

type CrossEntropyInputs = Omit<CrossEntropyArgs, 'losses' | 'lse'>;

/** Per-row losses and log-sum-exps of cross-entropy on `backend`, read back. */
function crossEntropy(backend: AnyBackend, args: CrossEntropyInputs) {
  const outputs = { losses: new Float32Array(args.rows), lse: new Float32Array(args.rows) };
  return runKernel(backend, { ...args, ...outputs }, ['losses', 'lse'], (a) => backend.crossEntropy!(a));
}

/** `dlogits` of cross-entropy on `backend` (pre-filled with NaN: every element must be written), read back. */
async function crossEntropyBackward(
  backend: AnyBackend,
  args: Omit<CrossEntropyBackwardArgs, 'dlogits'>,
): Promise<Float32Array> {
  const dlogits = new Float32Array(args.rows * args.classes).fill(Number.NaN);
  const result = await runKernel(backend, { ...args, dlogits }, ['dlogits'], (a) =>
    backend.crossEntropyBackward!(a),
  );
  return result.dlogits;
}
