import { describe, expect, it, vi } from 'vitest';
import packageJson from '../package.json';
import { DuplicatePackageError } from './duplicate-copies.js';
import { add, isTensor, tensor, where } from './index.js';

/**
 * A second, independent copy of this package, as a package manager installs it when it nests one:
 * the same code evaluated again, so its `Tensor` class is a different class.
 */
async function secondCopy(): Promise<typeof import('./index.js')> {
  vi.resetModules();
  return import('./index.js');
}

describe('tensors of a duplicate copy of @proj/tensor', () => {
  it('are recognised by their brand and rejected with an error that names the duplicate', async () => {
    const other = await secondCopy();
    const foreign = other.tensor([1, 2]);
    expect(foreign).not.toBeInstanceOf(tensor([0]).constructor);
    const expected = new RegExp(
      `^add: got a Tensor from another copy of @proj/tensor \\(version ${packageJson.version}; this copy is ${packageJson.version}\\)\\. Two copies of @proj/tensor are installed.*npm ls @proj/tensor.*npm dedupe.*peer dependency`,
    );
    expect(() => add(tensor([1, 2]), foreign)).toThrow(DuplicatePackageError);
    expect(() => add(tensor([1, 2]), foreign)).toThrow(expected);
    expect(() => add(foreign, 1)).toThrow(/^add: got a Tensor from another copy of @proj\/tensor/);
    expect(() => tensor(foreign as never)).toThrow(/^tensor: got a Tensor from another copy/);
    expect(() => tensor([1, 2]).assign(foreign)).toThrow(/^assign: got a Tensor from another copy/);
    expect(() => where(tensor([true]), foreign, 0)).toThrow(/^where: got a Tensor from another copy/);
    expect(() => isTensor(foreign)).toThrow(DuplicatePackageError);
  });

  it('leave values of this copy and non-tensors alone', () => {
    expect(isTensor(tensor([1]))).toBe(true);
    for (const value of [1, true, null, undefined, [1, 2], { shape: [1] }, new Float32Array(1)]) {
      expect(isTensor(value)).toBe(false);
    }
    expect(add(tensor([1, 2]), 1).toArray()).toEqual([2, 3]);
  });
});
