import { afterAll, describe, expect, it } from 'vitest';
import { erf, erfc } from '../../math.js';
import { randomF32 } from '../../testing/conformance/helpers.js';
import type { UnaryOp } from '../backend.js';
import { elementwiseKernels } from './elementwise.js';
import { ROUNDED_DIV_SQRT, TWO_PROD } from './elementwise-float-float.js';
import { linkWgsl, OPAQUE, OPAQUE_INIT } from './elementwise-library.js';
import { testRuntime } from './test-runtime.js';

const runtime = await testRuntime('WebGPU float32 accuracy');
afterAll(() => runtime?.device.destroy());

/** Every 1e-3 over [−10, 10], then special values (the grid of the conformance suite's accuracy test). */
const GRID = Float32Array.from({ length: 20016 }, (_, i) => (i - 10000) / 1000);
GRID.set(
  [0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40, 1.4e-45, 88, -88, 88.72, 89, 104, -104, 1.5],
  20001,
);

const Phi = (x: number): number => 0.5 * erfc(-x * Math.SQRT1_2);
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const geluTanh = (x: number): number => x * sigmoid(2 * Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3));

/**
 * Largest error of `actual` against the float64 `reference` where `where` holds: relative for normal
 * results, per max(1, |x|) absolute, and in smallest-subnormal steps below 2^−126. Non-finite results
 * must equal the rounded reference exactly.
 */
function errors(
  x: Float32Array,
  actual: Float32Array,
  reference: (x: number) => number,
  where = (_: number) => true,
) {
  const worst = { rel: 0, abs: 0, absPerX: 0, subnormalSteps: 0 };
  x.forEach((v, i) => {
    if (!where(v)) return;
    const [e, a] = [reference(v), actual[i]!];
    const rounded = Math.fround(e);
    if (!Number.isFinite(rounded) || !Number.isFinite(a)) {
      expect(a, `at ${v}`).toBe(rounded);
      return;
    }
    const d = Math.abs(a - e);
    worst.abs = Math.max(worst.abs, d);
    if (Math.abs(e) < 2 ** -126) worst.subnormalSteps = Math.max(worst.subnormalSteps, d / 2 ** -149);
    else {
      worst.absPerX = Math.max(worst.absPerX, d / Math.max(1, Math.abs(v)));
      worst.rel = Math.max(worst.rel, e === 0 ? (a === 0 ? 0 : Number.POSITIVE_INFINITY) : d / Math.abs(e));
    }
  });
  return worst;
}

describe.runIf(runtime)('webgpu float32 math', () => {
  const rt = runtime!;
  const kernels = elementwiseKernels(rt);

  async function forward(op: UnaryOp, x: Float32Array): Promise<Float32Array> {
    const out = rt.alloc('float32', x.length);
    kernels.unary(op, rt.upload(x), out);
    return (await rt.readAsync(out)) as Float32Array;
  }

  // The bounds are the conformance suite's (float32 accuracy against float64 references).
  it('exp and log within ~1 ulp, exp to the nearest subnormal step or the next', async () => {
    expect(errors(GRID, await forward('exp', GRID), Math.exp).rel).toBeLessThan(1.5e-7);
    const wide = Float32Array.from({ length: 20001 }, (_, i) => -104 + (193 * i) / 20000);
    const exp = errors(wide, await forward('exp', wide), Math.exp);
    expect(exp.rel).toBeLessThan(1.5e-7);
    expect(exp.subnormalSteps).toBeLessThanOrEqual(1);
    expect(errors(GRID, await forward('log', GRID), Math.log, (v) => !(v < 0)).rel).toBeLessThan(1.5e-7);
  });

  it('tanh, sigmoid, silu within a few ulp', async () => {
    expect(errors(GRID, await forward('tanh', GRID), Math.tanh).rel).toBeLessThan(2e-7);
    expect(errors(GRID, await forward('sigmoid', GRID), sigmoid).rel).toBeLessThan(3e-7);
    expect(errors(GRID, await forward('silu', GRID), (v) => v * sigmoid(v)).rel).toBeLessThan(3e-7);
  });

  it('erf and both GELUs to Abramowitz–Stegun accuracy, GELU relative in its negative tail', async () => {
    const e = errors(GRID, await forward('erf', GRID), erf);
    expect(e.abs).toBeLessThan(1.5e-7);
    expect(e.rel).toBeLessThan(2.5e-7);
    const y = await forward('gelu', GRID);
    const gelu = errors(GRID, y, (v) => v * Phi(v));
    expect(gelu.absPerX).toBeLessThan(1.1e-7);
    expect(gelu.rel).toBeLessThan(7e-7);
    expect(
      errors(
        GRID,
        y,
        (v) => v * Phi(v),
        (v) => v < -3,
      ).rel,
    ).toBeLessThan(5e-7);
    expect(errors(GRID, await forward('geluTanh', GRID), geluTanh).absPerX).toBeLessThan(2e-7);
  });

  it('sin and cos over the whole float32 range, near multiples of π/2 too', async () => {
    const mantissa = randomF32(50000, 5, 1, 2);
    const exponent = randomF32(50000, 6, -20, 128);
    const wide = Float32Array.from(mantissa, (m, i) => (i % 2 ? -1 : 1) * m * 2 ** Math.floor(exponent[i]!));
    const near = Float32Array.from({ length: 20000 }, (_, i) => ((i + 1) * Math.PI) / 2);
    for (const x of [GRID, wide, near]) {
      for (const [op, f] of [
        ['sin', Math.sin],
        ['cos', Math.cos],
      ] as const) {
        const y = await forward(op, x);
        // Cephes polynomials (~2 ulp in float32) after an exact Payne–Hanek reduction (~2^-48 absolute)
        x.forEach((v, i) => {
          const e = f(v);
          if (Number.isNaN(e)) expect(y[i], `${op}(${v})`).toBeNaN();
          else expect(Math.abs(y[i]! - e), `${op}(${v})`).toBeLessThanOrEqual(2.5e-7 * Math.abs(e) + 2e-10);
        });
      }
    }
  });

  /** Runs `expr` of `x0`, `x1`, … (elements i of `inputs`) in a one-off shader with the float-float helpers. */
  async function evaluate(expr: string, ...inputs: Float32Array[]): Promise<Float32Array> {
    const n = inputs[0]!.length;
    const bindings = inputs.map(
      (_, k) => `@group(0) @binding(${k + 1}) var<storage, read> in${k}: array<f32>;`,
    );
    const code = `${linkWgsl([OPAQUE, ROUNDED_DIV_SQRT, TWO_PROD])}
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
${bindings.join('\n')}
struct Params { one: f32 }
@group(0) @binding(${inputs.length + 1}) var<uniform> p: Params;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  ${OPAQUE_INIT}
  let i = gid.x;
  if (i >= ${n}u) { return; }
  ${inputs.map((_, k) => `let x${k} = in${k}[i];`).join(' ')}
  out[i] = ${expr};
}`;
    const out = rt.alloc('float32', n);
    const storages = [out, ...inputs.map((x) => rt.upload(x))];
    rt.run({ code, storages, uniforms: [['f32', 1]], workgroups: [Math.ceil(n / 64), 1, 1] });
    return (await rt.readAsync(out)) as Float32Array;
  }

  /** `x` moved by 1 or 2 ulp either way (by index), as a GPU's division or sqrt may be off (WGSL allows 2.5). */
  const nudge = (x: number, i: number): number => {
    const bits = new Int32Array(Float32Array.of(x).buffer);
    bits[0]! += [-2, -1, 1, 2][i % 4]!;
    return new Float32Array(bits.buffer)[0]!;
  };

  it('twoProd is exact, and one correction rounds a quotient or square root that is ulps off', async () => {
    const a = randomF32(4096, 41, -1e6, 1e6);
    const b = randomF32(4096, 42, 1e-3, 1e3).map((v, i) => (i % 3 ? v : -v));
    const [hi, lo] = [await evaluate('twoProd(x0, x1).x', a, b), await evaluate('twoProd(x0, x1).y', a, b)];
    a.forEach((v, i) => expect(hi[i]! + lo[i]!, `${v}·${b[i]}`).toBe(v * b[i]!));
    const quotients = Float32Array.from(a, (v, i) => nudge(v / b[i]!, i));
    const refined = await evaluate('refineQuotient(x0, x1, x2)', a, b, quotients);
    a.forEach((v, i) => expect(refined[i], `${v}/${b[i]}`).toBe(Math.fround(v / b[i]!)));
    const squares = Float32Array.from(b, Math.abs);
    const roots = Float32Array.from(squares, (v, i) => nudge(Math.sqrt(v), i));
    const rooted = await evaluate('refineSqrt(x0, x1)', squares, roots);
    squares.forEach((v, i) => expect(rooted[i], `sqrt(${v})`).toBe(Math.fround(Math.sqrt(v))));
  });
});
