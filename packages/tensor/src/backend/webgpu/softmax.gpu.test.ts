import { afterAll, describe, expect, it } from 'vitest';
import { describeMismatch, firstMismatch, randomF32 } from '../../testing/conformance/helpers.js';
import { jsBackend } from '../js/index.js';
import type { GPUStorage } from './gpu-storage.js';
import { matmulKernels } from './matmul.js';
import { testRuntime } from './test-runtime.js';

const rt = await testRuntime('WebGPU softmax');
afterAll(() => rt?.device.destroy());

/**
 * The reference works in double precision and rounds once; the GPU sums in float32 in another
 * order and its `exp`/`log` are not correctly rounded (WGSL allows a few ulp). For rows of up to
 * 5,000 entries that stays far below 1e-5 relative (float32 rounding of a 5,000-term sum is
 * ~5,000·6e-8 in the worst case, ~100× less in practice), while any wrong index or missed term
 * is off by a whole entry.
 */
const TOL = 1e-5;

function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  const i = firstMismatch(actual, expected, TOL, TOL);
  expect(i, `${what}: ${describeMismatch(i, actual, expected)}`).toBe(-1);
}

/** Random rows in [−10, 10) with −∞ entries, a fully masked row, a row with NaN and one with +∞. */
function scores(rows: number, cols: number, seed: number): Float32Array {
  const x = randomF32(rows * cols, seed, -10, 10);
  for (let i = 2; i < x.length; i += 7) x[i] = Number.NEGATIVE_INFINITY;
  if (rows > 3) {
    x.fill(Number.NEGATIVE_INFINITY, cols, 2 * cols);
    x[2 * cols + cols - 1] = Number.NaN;
    x[3 * cols] = Number.POSITIVE_INFINITY;
  }
  return x;
}

const SHAPES: [number, number][] = [
  [1, 1],
  [5, 3],
  [4, 33],
  [6, 256],
  [4, 257],
  [5, 1000],
  [4, 5000],
];

describe.runIf(rt)('webgpu softmax kernels', () => {
  // collected even where the suite is skipped (no adapter): the kernels only close over `rt` here
  const kernels = matmulKernels(rt!);
  const upload = (values: Float32Array) => rt!.upload(values);
  const read = async (storage: GPUStorage) => (await rt!.readAsync(storage)) as Float32Array;

  it('softmax and log-softmax rows, with −∞, fully masked, NaN and +∞ rows as the reference', async () => {
    for (const [rows, cols] of SHAPES)
      for (const log of [false, true]) {
        const x = scores(rows, cols, rows * cols);
        const expected = new Float32Array(x.length);
        jsBackend.softmax(x, expected, rows, cols, log);
        const out = upload(new Float32Array(x.length).fill(7));
        kernels.softmax(upload(x), out, rows, cols, log);
        expectClose(await read(out), expected, `softmax [${rows}, ${cols}] log=${log}`);
      }
  });

  it('runs more rows than one grid dimension holds, and nothing for empty blocks', async () => {
    const [rows, cols] = [66_000, 2];
    const x = randomF32(rows * cols, 4, -3, 3);
    const expected = new Float32Array(x.length);
    jsBackend.softmax(x, expected, rows, cols, false);
    const out = upload(new Float32Array(x.length));
    kernels.softmax(upload(x), out, rows, cols, false);
    expectClose(await read(out), expected, 'softmax [66000, 2]');
    const untouched = upload(Float32Array.of(7, 7));
    kernels.softmax(upload(new Float32Array(2)), untouched, 0, 2, false);
    kernels.softmax(upload(new Float32Array(2)), untouched, 2, 0, true);
    expect([...(await read(untouched))]).toEqual([7, 7]);
  });

  it('softmax backward from the output, into a fresh dx or in place over dy', async () => {
    for (const [rows, cols] of SHAPES)
      for (const log of [false, true]) {
        const x = randomF32(rows * cols, cols, -4, 4);
        const dy = randomF32(rows * cols, rows);
        const y = new Float32Array(x.length);
        jsBackend.softmax(x, y, rows, cols, log);
        const expected = new Float32Array(x.length);
        jsBackend.softmaxBackward(y, dy, expected, rows, cols, log);
        const dx = upload(new Float32Array(x.length));
        kernels.softmaxBackward(upload(y), upload(dy), dx, rows, cols, log);
        expectClose(await read(dx), expected, `softmaxBackward [${rows}, ${cols}] log=${log}`);
        const inPlace = upload(dy);
        kernels.softmaxBackward(upload(y), inPlace, inPlace, rows, cols, log);
        expectClose(await read(inPlace), expected, `softmaxBackward in place [${rows}, ${cols}] log=${log}`);
      }
  });

  it('attention softmax: scaled, causal bottom-right (L < S, L = S, L > S with NaN rows)', async () => {
    for (const [batch, L, S] of [
      [1, 1, 1],
      [2, 3, 3],
      [3, 17, 40],
      [2, 5, 300],
      [2, 7, 3],
    ] as const)
      for (const causal of [false, true]) {
        const x = randomF32(batch * L * S, L + S, -5, 5);
        x[S - 1] = Number.NEGATIVE_INFINITY;
        const args = { batch, L, S, scale: 0.37, causal };
        const expected = new Float32Array(x.length);
        jsBackend.attentionSoftmax({ ...args, x, out: expected });
        const out = upload(new Float32Array(x.length).fill(7));
        kernels.attentionSoftmax({ ...args, x: upload(x), out });
        const what = `attentionSoftmax [${batch}, ${L}, ${S}] causal=${causal}`;
        expectClose(await read(out), expected, what);
        if (causal && L > S) expect(expected.some(Number.isNaN)).toBe(true);

        const y = expected.map((v) => (Number.isNaN(v) ? 0 : v));
        const dy = randomF32(x.length, 3);
        const dxExpected = new Float32Array(x.length);
        jsBackend.attentionSoftmaxBackward(y, dy, dxExpected, batch * L, S, 0.37);
        const dx = upload(new Float32Array(x.length));
        kernels.attentionSoftmaxBackward(upload(y), upload(dy), dx, batch * L, S, 0.37);
        expectClose(await read(dx), dxExpected, `${what} backward`);
      }
  });

  it('rejects an output that shares the input buffer (only the backward may run in place)', () => {
    const x = upload(new Float32Array(4));
    expect(() => kernels.softmax(x, x, 2, 2, false)).toThrow(
      "webgpu softmax: 'out' is written and must not share its buffer with 'x'",
    );
  });
});
