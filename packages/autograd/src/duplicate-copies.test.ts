import { DuplicatePackageError, tensor } from '@proj/tensor';
import { describe, expect, it, vi } from 'vitest';
import { add, isVariable, Variable, variable } from './index.js';

/**
 * Second, independent copies of @proj/tensor and @proj/autograd, as a package manager installs
 * them when it nests one: the same code evaluated again, so its classes are different classes.
 */
async function secondCopies(): Promise<{
  tensor: typeof import('@proj/tensor');
  autograd: typeof import('./index.js');
}> {
  vi.resetModules();
  return { tensor: await import('@proj/tensor'), autograd: await import('./index.js') };
}

describe('values of a duplicate copy', () => {
  it('a Tensor of another @proj/tensor copy fails with an error that names the duplicate', async () => {
    const other = await secondCopies();
    const foreign = other.tensor.tensor([1, 2]);
    const named = /got a Tensor from another copy of @proj\/tensor .*npm ls @proj\/tensor/;
    expect(() => variable(foreign)).toThrow(DuplicatePackageError);
    expect(() => variable(foreign)).toThrow(new RegExp(`^variable: ${named.source}`));
    expect(() => new Variable(foreign)).toThrow(new RegExp(`^Variable: ${named.source}`));
    expect(() => add(variable([1, 2], { requiresGrad: true }), foreign)).toThrow(named);
    const output = variable([1, 2], { requiresGrad: true }).mul(2);
    expect(() => output.backward(other.tensor.tensor([1, 1]))).toThrow(
      new RegExp(`^backward: ${named.source}`),
    );
  });

  it('a Variable of another @proj/autograd copy fails with an error that names the duplicate', async () => {
    const other = await secondCopies();
    const foreign = other.autograd.variable([1, 2]);
    expect(() => add(variable([1, 2]), foreign)).toThrow(
      /^lift: got a Variable from another copy of @proj\/autograd .*npm ls @proj\/autograd/,
    );
    expect(() => isVariable(foreign)).toThrow(DuplicatePackageError);
  });

  it('values of this copy pass, and a Variable needs a Tensor', () => {
    expect(isVariable(variable([1]))).toBe(true);
    expect(isVariable(tensor([1]))).toBe(false);
    expect(() => new Variable([1, 2] as never)).toThrow('Variable: data must be a Tensor, got object');
  });
});
