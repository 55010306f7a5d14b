import { tensor, zeros } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { Variable, variable } from './index.js';

const f64 = (values: number[]) => tensor(values, { dtype: 'float64' });

describe('variable()', () => {
  it('wraps tensors, nested arrays and typed arrays, with an optional dtype', () => {
    expect(variable(f64([1, 2])).dtype).toBe('float64');
    expect(variable([[1, 2]]).shape).toEqual([1, 2]);
    expect(variable(new Float64Array([1, 2]), { dtype: 'float32' }).dtype).toBe('float32');
    const x = variable([1, 2], { requiresGrad: true });
    expect(x.requiresGrad).toBe(true);
    expect(x.isLeaf).toBe(true);
    expect(x.grad).toBeNull();
  });

  it('refuses requiresGrad on a non-float tensor', () => {
    expect(() => variable([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow(
      /only float tensors.*int32/,
    );
  });
});

describe('Variable', () => {
  it('accumulates gradients across backward() calls until zeroGrad()', () => {
    const x = variable(f64([1, 2, 3]), { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([4, 8, 12]);
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([7, 11, 15]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    x.sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 1, 1]);
  });

  it('keeps .grad in the leaf dtype and never aliases the incoming gradient', () => {
    const x = variable(tensor([1, 2], { dtype: 'float32' }), { requiresGrad: true });
    const seed = tensor([10, 20], { dtype: 'float64' });
    x.to('float64').backward(seed);
    expect(x.grad!.dtype).toBe('float32');
    expect(x.grad!.toArray()).toEqual([10, 20]);
    const y = variable(f64([1, 2]), { requiresGrad: true });
    const g = f64([5, 6]);
    y.add(0).backward(g);
    g.assign(0);
    expect(y.grad!.toArray()).toEqual([5, 6]);
  });

  it('keeps .grad in the leaf dtype when a mixed-dtype graph accumulates float64 gradients', () => {
    const x = variable(tensor([1, 2], { dtype: 'float32' }), { requiresGrad: true });
    const y = f64([3, 4]);
    x.mul(y).sum().backward();
    x.mul(y).sum().backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(x.grad!.toArray()).toEqual([6, 8]);
  });

  it('a cast to a non-float dtype is a constant: no gradient flows through integers', () => {
    const x = variable(f64([1.5, 2.5]), { requiresGrad: true });
    const i = x.to('int32');
    expect(i.dtype).toBe('int32');
    expect(i.requiresGrad).toBe(false);
    expect(x.to('float32').requiresGrad).toBe(true);
  });

  it('detach() shares data but cuts the graph', () => {
    const x = variable(f64([2, 3]), { requiresGrad: true });
    const d = x.detach();
    expect(d.data).toBe(x.data);
    expect(d.requiresGrad).toBe(false);
    // d/dx (x · stop(x)) = stop(x): the detached factor is a constant.
    x.mul(d).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 3]);
  });

  it('gives no gradient to constant operands and leaves that do not require grad', () => {
    const x = variable(f64([1, 2]), { requiresGrad: true });
    const c = variable(f64([5, 7]));
    x.mul(c)
      .add(f64([1, 1]))
      .sum()
      .backward();
    expect(x.grad!.toArray()).toEqual([5, 7]);
    expect(c.grad).toBeNull();
  });

  it('returns plain bool/int Tensors from comparisons and arg-reductions', () => {
    const x = variable(f64([1, 5, 3]), { requiresGrad: true });
    expect(x.gt(2).toArray()).toEqual([false, true, true]);
    expect(x.eq(f64([1, 0, 3])).toArray()).toEqual([true, false, true]);
    expect(x.argmax().item()).toBe(1);
    expect(x.argmin().item()).toBe(0);
  });

  it('exposes shape, dtype, ndim, size, item, toArray and a readable toString', () => {
    const x = variable(zeros([2, 3]), { requiresGrad: true });
    expect([x.shape, x.dtype, x.ndim, x.size]).toEqual([[2, 3], 'float32', 2, 6]);
    expect(x.sum().item()).toBe(0);
    expect(x.sum().toString()).toMatch(/requiresGrad=true, gradFn=sum/);
    expect(new Variable(f64([1])).toString()).not.toMatch(/requiresGrad/);
  });

  it('itemAsync and dataAsync resolve to the values of the data, as copies', async () => {
    const x = variable(f64([1, 2, 3]), { requiresGrad: true });
    const loss = x.square().sum();
    expect(await loss.itemAsync()).toBe(14);
    const values = await x.dataAsync();
    expect(values).toEqual(Float64Array.of(1, 2, 3));
    expect(values).not.toBe(x.data.storage);
    await expect(x.itemAsync()).rejects.toThrow('item: tensor of shape [3] has 3 elements, not 1');
  });

  it('treats a number operand as a constant of the Variable dtype', () => {
    const x = variable(f64([1, 2]), { requiresGrad: true });
    const y = x.mul(2).add(1);
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 2]);
  });
});

describe('backward() errors', () => {
  it('needs a gradient argument for a non-scalar output, naming its shape', () => {
    const x = variable(f64([1, 2, 3]), { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/output has shape \[3\]; pass a gradient of that shape/);
  });

  it('rejects a gradient argument of the wrong shape', () => {
    const x = variable(f64([1, 2, 3]), { requiresGrad: true });
    expect(() => x.mul(2).backward(f64([1, 2]))).toThrow(/gradient \[2\] does not match output \[3\]/);
  });

  it('refuses a Variable that does not require grad', () => {
    expect(() => variable(f64([1])).backward()).toThrow(/does not require grad/);
  });

  it('accepts an explicit gradient for a non-scalar output (vector-Jacobian product)', () => {
    const x = variable(f64([1, 2, 3]), { requiresGrad: true });
    x.square().backward(f64([1, 0, -1]));
    expect(x.grad!.toArray()).toEqual([2, 0, -6]);
  });
});
