import { expect } from 'vitest';
import type { UnaryGradOp, UnaryOp } from '../../backend/backend.js';
import type { AnyBackend } from '../../backend/registry.js';
import { erf, erfc } from '../../math.js';
import { runKernel } from './harness.js';
import type { TestApi } from './test-api.js';

/**
 * float32 accuracy of the transcendental kernels of every backend (the JS reference included) against
 * float64 references (`Math.exp`, `Math.log`, `Math.tanh` and the double-precision `erf`/`erfc` of
 * src/math.ts), over every 1e-3 of [−10, 10] and the special values. The bounds are explicit: about
 * 1.5× the worst error the WASM kernels reach, and for erf and GELU at least the absolute accuracy of
 * Abramowitz–Stegun 7.1.26 (1.5e-7 on erf, the formula PyTorch's CPU GELU uses).
 */

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const Phi = (x: number): number => 0.5 * erfc(-x * Math.SQRT1_2);
const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
/** u of the tanh-form GELU: 0.5·x·(1 + tanh(u)) = x·sigmoid(2u). */
const u = (x: number): number => SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);

/** Every 1e-3 over [−10, 10] (as float32). */
const GRID = Float32Array.from({ length: 20001 }, (_, i) => (i - 10000) / 1000);
const SPECIAL = Float32Array.of(
  0,
  -0,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
  1e-40,
  -1e-40,
  1.4e-45,
  -1.4e-45,
  88,
  -88,
  88.72,
  89,
  104,
  -104,
);

/** Largest errors of `actual` against the float64 `reference` at `x` (only where `where(x)` holds). */
function errors(
  x: Float32Array,
  actual: Float32Array,
  reference: (x: number) => number,
  where: (x: number) => boolean = () => true,
): { abs: number; rel: number; absPerX: number; subnormalSteps: number } {
  let abs = 0;
  let rel = 0;
  let absPerX = 0;
  let subnormalSteps = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!where(v)) continue;
    const e = reference(v);
    const a = actual[i]!;
    const rounded = Math.fround(e);
    if (!Number.isFinite(rounded) || Number.isNaN(a) || !Number.isFinite(a)) {
      // infinities and NaN must come out exactly as the rounded reference
      if (!Object.is(a, rounded) && !(Number.isNaN(a) && Number.isNaN(rounded))) return inf(v, a, e);
      continue;
    }
    const d = Math.abs(a - e);
    abs = Math.max(abs, d);
    // relative error for normal results; below 2^-126, in steps of the smallest subnormal
    if (Math.abs(e) < 2 ** -126) {
      subnormalSteps = Math.max(subnormalSteps, d / 2 ** -149);
      continue;
    }
    absPerX = Math.max(absPerX, d / Math.max(1, Math.abs(v)));
    if (e !== 0) rel = Math.max(rel, d / Math.abs(e));
    else if (a !== 0) rel = Number.POSITIVE_INFINITY;
  }
  return { abs, rel, absPerX, subnormalSteps };
}

function inf(x: number, a: number, e: number): never {
  throw new Error(`at x = ${x}: got ${a}, float64 reference ${e}`);
}

async function forward(backend: AnyBackend, op: UnaryOp, x: Float32Array): Promise<Float32Array> {
  const args = { x, out: new Float32Array(x.length) };
  return (await runKernel(backend, args, ['out'], (a) => backend.unary(op, a.x, a.out))).out;
}

async function derivative(backend: AnyBackend, op: UnaryGradOp, x: Float32Array): Promise<Float32Array> {
  const args = { x, dy: new Float32Array(x.length).fill(1), dx: new Float32Array(x.length) };
  return (await runKernel(backend, args, ['dx'], (a) => backend.unaryBackward!(op, a.x, a.dy, a.dx))).dx;
}

/** Both the grid and the special values through one call each. */
function gridAndSpecial(): Float32Array {
  const x = new Float32Array(GRID.length + SPECIAL.length);
  x.set(GRID);
  x.set(SPECIAL, GRID.length);
  return x;
}

/** Registers the conformance tests of the float32 accuracy of the transcendental kernels for `backend`. */
export function accuracyConformance({ describe, it }: TestApi, backend: AnyBackend): void {
  describe('float32 accuracy against float64 references', () => {
    const x = gridAndSpecial();
    it('exp, log, tanh, sigmoid, silu: a few ulp', async () => {
      const exp = errors(x, await forward(backend, 'exp', x), Math.exp);
      expect(exp.rel).toBeLessThan(1.5e-7);
      // exp over its whole range: subnormal results to the nearest step or the next
      const wide = Float32Array.from({ length: 20001 }, (_, i) => -104 + (193 * i) / 20000);
      const expWide = errors(wide, await forward(backend, 'exp', wide), Math.exp);
      expect(expWide.rel).toBeLessThan(1.5e-7);
      expect(expWide.subnormalSteps).toBeLessThanOrEqual(1);
      const log = errors(x, await forward(backend, 'log', x), Math.log, (v) => !(v < 0));
      expect(log.rel).toBeLessThan(1.5e-7);
      expect(errors(x, await forward(backend, 'tanh', x), Math.tanh).rel).toBeLessThan(2e-7);
      expect(errors(x, await forward(backend, 'sigmoid', x), sigmoid).rel).toBeLessThan(3e-7);
      expect(errors(x, await forward(backend, 'silu', x), (v) => v * sigmoid(v)).rel).toBeLessThan(3e-7);
    });

    it('erf: 1.5e-7 absolute (Abramowitz–Stegun 7.1.26) and 2.5e-7 relative', async () => {
      const e = errors(x, await forward(backend, 'erf', x), erf);
      expect(e.abs).toBeLessThan(1.5e-7);
      expect(e.rel).toBeLessThan(2.5e-7);
    });

    it('gelu: AS-level absolute accuracy, and relative accuracy in the negative tail', async () => {
      const y = await forward(backend, 'gelu', x);
      const all = errors(x, y, (v) => v * Phi(v));
      // |error| <= 1.1e-7·max(1, |x|): Φ to ~7.5e-8 (AS) plus rounding of x·Φ(x)
      expect(all.absPerX).toBeLessThan(1.1e-7);
      expect(all.rel).toBeLessThan(7e-7);
      // gelu(−6) ≈ −6e-9, gelu(−10) ≈ −7.6e-23: still 5e-7 relative
      expect(
        errors(
          x,
          y,
          (v) => v * Phi(v),
          (v) => v < -3,
        ).rel,
      ).toBeLessThan(5e-7);
    });

    it('geluTanh: 2e-7·max(1, |x|) absolute', async () => {
      const e = errors(x, await forward(backend, 'geluTanh', x), (v) => v * sigmoid(2 * u(v)));
      expect(e.absPerX).toBeLessThan(2e-7);
    });

    it('each result depends on its own input only, not on its neighbours (fast paths)', async () => {
      // the same values alone, and with every other element 3 (which needs GELU's tail piece)
      const mixed = new Float32Array(2 * GRID.length);
      for (let i = 0; i < GRID.length; i++) {
        mixed[2 * i] = GRID[i]!;
        mixed[2 * i + 1] = 3;
      }
      const even = (y: Float32Array) => y.filter((_, i) => i % 2 === 0);
      for (const op of ['gelu', 'erf', 'exp', 'tanh', 'sigmoid'] as const) {
        expect(even(await forward(backend, op, mixed)), op).toEqual(await forward(backend, op, GRID));
      }
      for (const op of ['gelu', 'geluTanh', 'silu'] as const) {
        expect(even(await derivative(backend, op, mixed)), `${op}'`).toEqual(
          await derivative(backend, op, GRID),
        );
      }
    });

    if (backend.unaryBackward)
      it('derivatives of gelu, geluTanh, silu, sigmoid, tanh', async () => {
        const gelu = errors(x, await derivative(backend, 'gelu', x), (v) => Phi(v) + v * phi(v));
        expect(gelu.abs).toBeLessThan(2.2e-7);
        expect(
          errors(
            x,
            await derivative(backend, 'gelu', x),
            (v) => Phi(v) + v * phi(v),
            (v) => v < -3,
          ).rel,
        ).toBeLessThan(1e-6);
        const s = (v: number) => sigmoid(2 * u(v));
        const du = (v: number) => 2 * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
        const geluTanh = errors(
          x,
          await derivative(backend, 'geluTanh', x),
          (v) => s(v) + v * s(v) * (1 - s(v)) * du(v),
        );
        expect(geluTanh.abs).toBeLessThan(3e-6);
        const silu = errors(
          x,
          await derivative(backend, 'silu', x),
          (v) => sigmoid(v) * (1 + v * (1 - sigmoid(v))),
        );
        expect(silu.abs).toBeLessThan(1.1e-6);
        const sig = errors(x, await derivative(backend, 'sigmoid', x), (v) => sigmoid(v) * (1 - sigmoid(v)));
        expect(sig.abs).toBeLessThan(1.5e-7);
        const tanh = errors(x, await derivative(backend, 'tanh', x), (v) => 1 - Math.tanh(v) ** 2);
        expect(tanh.abs).toBeLessThan(1.7e-7);
      });
  });
}
