import { gelu, linear } from '@proj/autograd';
import { Generator, randn } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { gradcheckModule } from '../testing/gradcheck-module.js';
import { MLP } from './mlp.js';

const f64 = { dtype: 'float64' as const };

describe('MLP', () => {
  it("is nanoGPT's c_fc → GELU → c_proj, 4× wide by default", () => {
    const mlp = new MLP(6, { ...f64, generator: new Generator(0) });
    expect(mlp.namedParameters().map(([n, p]) => `${n} [${p.shape.join(',')}]`)).toEqual([
      'c_fc.weight [24,6]',
      'c_fc.bias [24]',
      'c_proj.weight [6,24]',
      'c_proj.bias [6]',
    ]);
    const x = randn([2, 3, 6], { ...f64, generator: new Generator(1) });
    const manual = linear(
      gelu(linear(x, mlp.c_fc.weight, mlp.c_fc.bias)),
      mlp.c_proj.weight,
      mlp.c_proj.bias,
    );
    expect(mlp.forward(x).toArray()).toEqual(manual.toArray());
    const tanh = new MLP(6, { ...f64, hidden: 5, bias: false, approximate: 'tanh' });
    expect(tanh.numParameters()).toBe(60);
    const approx = linear(gelu(linear(x, tanh.c_fc.weight), { approximate: 'tanh' }), tanh.c_proj.weight);
    expect(tanh.forward(x).toArray()).toEqual(approx.toArray());
  });

  it('applies dropout to its output in training mode only', () => {
    const mlp = new MLP(4, { dropout: 0.5, generator: new Generator(2) });
    const x = randn([8, 4], { generator: new Generator(3) });
    const zeros = Array.from(mlp.forward(x).data.data()).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(4);
    mlp.eval();
    expect(Array.from(mlp.forward(x).data.data()).filter((v) => v === 0).length).toBe(0);
  });

  it('passes gradcheck', () => {
    const mlp = new MLP(3, { ...f64, hidden: 5, generator: new Generator(4) });
    const x = randn([2, 3], { ...f64, generator: new Generator(5) });
    expect(gradcheckModule(mlp, (v) => mlp.forward(v), [x]).ok).toBe(true);
  });
});
