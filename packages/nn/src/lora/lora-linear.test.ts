import { Generator, randn, type Tensor } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { Linear } from '../layers/linear.js';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { LoRALinear } from './lora-linear.js';

const f64 = { dtype: 'float64' as const };
const maxError = (a: Tensor, b: Tensor) => Math.max(...Array.from(a.sub(b).abs().data()));

/** A LoRA layer with random (trained-looking) A and B, in float64. */
function trainedLayer(options: {
  r: number;
  alpha: number;
  useRslora?: boolean;
  dropout?: number;
  bias?: boolean;
}) {
  const g = new Generator(7);
  const layer = new LoRALinear(new Linear(5, 6, { ...f64, bias: options.bias ?? true, generator: g }), {
    ...options,
    generator: g,
  });
  layer.lora_A.weight.data = randn([options.r, 5], { ...f64, generator: g });
  layer.lora_B.weight.data = randn([6, options.r], { ...f64, generator: g });
  return layer;
}

/** `x·(W + s·B·A)ᵀ + b`, computed from the weights directly. */
function reference(layer: LoRALinear, x: Tensor, scaling: number): Tensor {
  const w = layer.weight.data.add(layer.lora_B.weight.data.matmul(layer.lora_A.weight.data).mul(scaling));
  const y = x.matmul(w.transpose(0, 1));
  return layer.bias ? y.add(layer.bias.data) : y;
}

describe('LoRALinear', () => {
  it('starts as its base layer: B is zero and every output is exactly the base output', () => {
    const g = new Generator(1);
    const base = new Linear(8, 12, { generator: g });
    const x = randn([2, 3, 8], { generator: g });
    const expected = base.forward(x).data;
    const layer = new LoRALinear(base, { r: 4, alpha: 16, generator: g });
    expect(layer.weight).toBe(base.weight);
    expect(layer.bias).toBe(base.bias);
    expect(Array.from(layer.lora_B.weight.data.data()).every((v) => v === 0)).toBe(true);
    expect(layer.forward(x).data.toArray()).toEqual(expected.toArray());
    expect(layer.forwardSlice(x, 4, 5).data.toArray()).toEqual(expected.narrow(2, 4, 5).toArray());
    const flat = x.reshape([6, 8]);
    expect(layer.forwardTransposed(flat).data.toArray()).toEqual(base.forwardTransposed(flat).data.toArray());
  });

  it('draws A Kaiming-uniform with a = √5, i.e. U(−1/√in, 1/√in), as PEFT', () => {
    const layer = new LoRALinear(new Linear(64, 8), { r: 16, alpha: 16, generator: new Generator(2) });
    const a = Array.from(layer.lora_A.weight.data.data());
    expect(layer.lora_A.weight.shape).toEqual([16, 64]);
    expect(layer.lora_B.weight.shape).toEqual([8, 16]);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(1 / 8);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.12);
  });

  it('adds scaling·B·A·x with scaling alpha/r, or alpha/√r with rsLoRA, on every path', () => {
    const x = randn([3, 2, 5], { ...f64, generator: new Generator(3) });
    for (const [useRslora, scaling] of [
      [false, 12 / 4],
      [true, 12 / 2],
    ] as const) {
      const layer = trainedLayer({ r: 4, alpha: 12, useRslora });
      expect(layer.scaling).toBe(scaling);
      const expected = reference(layer, x, scaling);
      expect(maxError(layer.forward(x).data, expected)).toBeLessThan(1e-12);
      expect(maxError(layer.forwardSlice(x, 1, 4).data, expected.narrow(2, 1, 4))).toBeLessThan(1e-12);
      const flat = x.reshape([6, 5]);
      const transposed = layer.forwardTransposed(flat).data;
      expect(maxError(transposed, expected.reshape([6, 6]).transpose(0, 1))).toBeLessThan(1e-12);
    }
  });

  it('passes gradcheck through A and B (and the input) on every path', () => {
    const layer = trainedLayer({ r: 3, alpha: 6, bias: false });
    const x = randn([2, 4, 5], { ...f64, generator: new Generator(4) });
    expect(gradcheckModule(layer, (v) => layer.forward(v), [x]).ok).toBe(true);
    expect(gradcheckModule(layer, (v) => layer.forwardSlice(v, 2, 3), [x]).ok).toBe(true);
    expect(gradcheckModule(layer, (v) => layer.forwardTransposed(v), [x.reshape([8, 5])]).ok).toBe(true);
  });

  it('merges into the weight and unmerges back: same outputs, weights restored to rounding', () => {
    const g = new Generator(5);
    const layer = new LoRALinear(new Linear(16, 24, { generator: g }), { r: 4, alpha: 8, generator: g });
    layer.lora_B.weight.data = randn([24, 4], { generator: g, std: 0.1 });
    const original = layer.weight.data.clone();
    const x = randn([5, 16], { generator: g });
    const unmerged = layer.forward(x).data;
    layer.merge();
    expect(layer.merged).toBe(true);
    expect(maxError(layer.weight.data, original.add(layer.deltaWeight()))).toBe(0);
    expect(maxError(layer.forward(x).data, unmerged)).toBeLessThan(1e-5);
    layer.merge(); // already merged: nothing happens
    layer.unmerge();
    expect(layer.merged).toBe(false);
    expect(maxError(layer.weight.data, original)).toBeLessThan(1e-6);
    expect(maxError(layer.forward(x).data, unmerged)).toBeLessThan(1e-5);
  });

  it('computes the base layer alone while disabled, and refuses to merge then', () => {
    const layer = trainedLayer({ r: 2, alpha: 2 });
    const x = randn([4, 5], { ...f64, generator: new Generator(6) });
    const base = new Linear(5, 6, { parameters: layer }).forward(x).data;
    layer.adapterEnabled = false;
    expect(layer.forward(x).data.toArray()).toEqual(base.toArray());
    expect(() => layer.merge()).toThrow(/LoRALinear.merge: the adapter is disabled/);
  });

  it('drops adapter inputs only in training mode', () => {
    const layer = trainedLayer({ r: 2, alpha: 2, dropout: 0.5 });
    const x = randn([8, 5], { ...f64, generator: new Generator(8) });
    const evaluated = layer.eval().forward(x).data;
    expect(maxError(evaluated, reference(layer, x, 1))).toBeLessThan(1e-12);
    expect(maxError(layer.train().forward(x).data, evaluated)).toBeGreaterThan(1e-3);
  });

  it('names a bad rank or alpha', () => {
    expect(() => new LoRALinear(new Linear(2, 2), { r: 0, alpha: 1 })).toThrow(
      /r must be a positive integer, got 0/,
    );
    expect(() => new LoRALinear(new Linear(2, 2), { r: 2, alpha: Number.NaN })).toThrow(
      /alpha must be a finite/,
    );
  });
});
