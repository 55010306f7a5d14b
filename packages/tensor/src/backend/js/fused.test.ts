import { describe, expect, it } from 'vitest';
import fixture from '../../../fixtures/fused-kernels.json';
import type { UnaryGradOp } from '../backend.js';
import { unaryBackward } from './activation-grad.js';
import { adamw } from './adamw.js';
import { crossEntropy, crossEntropyBackward } from './cross-entropy.js';
import { layerNorm, layerNormBackward } from './norm.js';
import { softmaxBackward } from './reduce.js';

/** The JS reference kernels against PyTorch autograd in float64 (tooling/fixtures/tensor_fused_kernels.py). */

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    expect(Math.abs(actual[i]! - e), `element ${i}: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(e)),
    );
  }
}

const f64 = (v: readonly number[]) => Float64Array.from(v);

describe('layerNorm kernels', () => {
  it('layer norm forward and backward match torch', () => {
    const c = fixture.layerNorm;
    const out = new Float64Array(15);
    const mean = new Float64Array(3);
    const rstd = new Float64Array(3);
    const args = { rows: 3, cols: 5, eps: c.eps, rms: false, mean, rstd };
    layerNorm({ ...args, x: f64(c.x), weight: f64(c.weight), bias: f64(c.bias), out });
    expectClose(out, c.out);
    const dx = new Float64Array(15);
    const dweight = new Float64Array(5);
    const dbias = new Float64Array(5);
    layerNormBackward({ ...args, dy: f64(c.dy), x: f64(c.x), weight: f64(c.weight), dx, dweight, dbias });
    expectClose(dx, c.dx);
    expectClose(dweight, c.dweight);
    expectClose(dbias, c.dbias);
  });

  it('RMS norm forward and backward match torch', () => {
    const c = fixture.rmsNorm;
    const out = new Float64Array(15);
    const rstd = new Float64Array(3);
    const args = { rows: 3, cols: 5, eps: c.eps, rms: true, mean: new Float64Array(3), rstd };
    layerNorm({ ...args, x: f64(c.x), weight: f64(c.weight), bias: null, out });
    expectClose(out, c.out);
    const dx = new Float64Array(15);
    const dweight = new Float64Array(5);
    layerNormBackward({
      ...args,
      dy: f64(c.dy),
      x: f64(c.x),
      weight: f64(c.weight),
      dx,
      dweight,
      dbias: null,
    });
    expectClose(dx, c.dx);
    expectClose(dweight, c.dweight);
  });

  it('without weight normalises each row to mean 0, variance 1', () => {
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 3 + i);
    const out = new Float32Array(24);
    layerNorm({
      x,
      weight: null,
      bias: null,
      out,
      mean: new Float32Array(3),
      rstd: new Float32Array(3),
      rows: 3,
      cols: 8,
      eps: 0,
      rms: false,
    });
    for (let r = 0; r < 3; r++) {
      const row = [...out.subarray(r * 8, r * 8 + 8)];
      const mu = row.reduce((s, v) => s + v, 0) / 8;
      expect(Math.abs(mu)).toBeLessThan(1e-6);
      expect(row.reduce((s, v) => s + (v - mu) ** 2, 0) / 8).toBeCloseTo(1, 5);
    }
  });
});

describe('crossEntropy kernels', () => {
  it('per-row losses and gradients (label smoothing, ignored row) match torch', () => {
    const c = fixture.crossEntropy;
    const targets = Int32Array.from(c.targets);
    const losses = new Float64Array(4);
    const lse = new Float64Array(4);
    const common = { rows: 4, classes: 6, ignoreIndex: c.ignoreIndex, labelSmoothing: c.labelSmoothing };
    crossEntropy({ ...common, logits: f64(c.logits), targets, losses, lse });
    expectClose(losses, c.losses);
    const dlogits = new Float64Array(24).fill(Number.NaN);
    crossEntropyBackward({ ...common, logits: f64(c.logits), targets, lse, scale: f64(c.scale), dlogits });
    expectClose(dlogits, c.dlogits);
  });

  it('a hand-computed row: logits [1, 2, 3], target 2 → log(e + e² + e³) − 3', () => {
    const losses = new Float32Array(1);
    const lse = new Float32Array(1);
    const args = { rows: 1, classes: 3, ignoreIndex: -100, labelSmoothing: 0, targets: Int32Array.of(2) };
    crossEntropy({ ...args, logits: Float32Array.of(1, 2, 3), losses, lse });
    expect(losses[0]).toBeCloseTo(0.4076059644443806, 6);
    expect(lse[0]).toBeCloseTo(3.4076059644443806, 6);
  });

  it('rejects targets outside [0, classes)', () => {
    const args = {
      logits: new Float32Array(6),
      losses: new Float32Array(2),
      lse: new Float32Array(2),
      rows: 2,
      classes: 3,
      ignoreIndex: -1,
      labelSmoothing: 0,
    };
    expect(() => crossEntropy({ ...args, targets: Int32Array.of(0, 3) })).toThrow(/target 3 at row 1/);
    expect(() => crossEntropy({ ...args, targets: Int32Array.of(-1, 2) })).not.toThrow();
  });
});

describe('softmaxBackward kernel', () => {
  for (const [name, log] of [
    ['softmaxBackward', false],
    ['logSoftmaxBackward', true],
  ] as const) {
    it(`${name} matches torch`, () => {
      const c = fixture[name];
      const dx = new Float64Array(21);
      softmaxBackward(f64(c.y), f64(c.dy), dx, 3, 7, log);
      expectClose(dx, c.dx);
    });
  }
});

describe('unaryBackward kernel', () => {
  const c = fixture.unaryBackward;
  for (const op of Object.keys(c.dx) as UnaryGradOp[]) {
    it(`${op}' matches torch (float64) and float32`, () => {
      const dx = new Float64Array(25);
      unaryBackward(op, f64(c.x), f64(c.dy), dx);
      expectClose(dx, c.dx[op]);
      const dx32 = new Float32Array(25);
      unaryBackward(op, Float32Array.from(c.x), Float32Array.from(c.dy), dx32);
      expectClose(dx32, c.dx[op], 1e-6);
    });
  }
});

describe('adamw kernel', () => {
  it('three steps match torch.optim.AdamW (params and moments)', () => {
    const c = fixture.adamw;
    const param = f64(c.param0);
    const m = new Float64Array(6);
    const v = new Float64Array(6);
    c.grads.forEach((g, i) => {
      adamw({ ...c, param, grad: f64(g), m, v, step: i + 1 });
      expectClose(param, c.params[i]!);
      expectClose(m, c.m[i]!);
      expectClose(v, c.v[i]!);
    });
  });
});
