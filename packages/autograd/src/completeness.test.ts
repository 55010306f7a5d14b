import * as T from '@proj/tensor';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type DifferentiableOp,
  type FunctionNames,
  gradCases,
  nonDifferentiableAutogradFunctions,
  nonDifferentiableTensorFunctions,
} from './grad-cases/registry.js';
import * as A from './index.js';
import { Variable } from './index.js';

/** Exported functions of a module; PascalCase exports are classes (Tensor, Generator, errors). */
function functionExports(module: Record<string, unknown>): string[] {
  return Object.keys(module)
    .filter((name) => typeof module[name] === 'function' && !/^[A-Z]/.test(name))
    .sort();
}

const tensorFunctions = functionExports(T);
const autogradFunctions = functionExports(A);
const skipTensor = new Set<string>(nonDifferentiableTensorFunctions);
const skipAutograd = new Set<string>(nonDifferentiableAutogradFunctions);
const differentiableTensorOps = tensorFunctions.filter((name) => !skipTensor.has(name));

describe('every differentiable op has a gradient rule and gradient checks', () => {
  it('every differentiable @proj/tensor function has an @proj/autograd function of the same name', () => {
    const missing = differentiableTensorOps.filter(
      (name) => typeof (A as Record<string, unknown>)[name] !== 'function',
    );
    expect(missing, 'tensor ops without a gradient rule (add one in ops/<family>.ts)').toEqual([]);
    expectTypeOf<Exclude<DifferentiableOp, FunctionNames<typeof A>>>().toBeNever();
  });

  it('every differentiable op of either package has property-based gradient checks', () => {
    const wanted = [
      ...new Set([...differentiableTensorOps, ...autogradFunctions.filter((n) => !skipAutograd.has(n))]),
    ];
    const untested = wanted.filter((name) => !Object.hasOwn(gradCases, name)).sort();
    expect(untested, 'ops without an entry in grad-cases/registry.ts').toEqual([]);
    for (const [op, variants] of Object.entries(gradCases)) {
      expect(Object.keys(variants).length, `${op} has no variants`).toBeGreaterThan(0);
      expect(typeof (A as Record<string, unknown>)[op], `${op} is not an autograd function`).toBe('function');
    }
  });

  it('the non-differentiable lists name only existing exports (a rename cannot hide an op)', () => {
    expect(nonDifferentiableTensorFunctions.filter((n) => !tensorFunctions.includes(n))).toEqual([]);
    expect(nonDifferentiableAutogradFunctions.filter((n) => !autogradFunctions.includes(n))).toEqual([]);
  });

  it('every differentiable Tensor method has a Variable method of the same name', () => {
    const methods = (proto: object) =>
      Object.getOwnPropertyNames(proto).filter(
        (n) => n !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, n)?.value === 'function',
      );
    const variableMethods = new Set(methods(Variable.prototype));
    const missing = methods(T.Tensor.prototype).filter(
      (n) => (differentiableTensorOps.includes(n) || n === 'var') && !variableMethods.has(n),
    );
    expect(missing).toEqual([]);
  });
});
