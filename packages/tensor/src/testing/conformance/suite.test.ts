import { describe, expect, it } from 'vitest';
import type { Backend, MatmulArgs, UnaryOp } from '../../backend/backend.js';
import { jsBackend } from '../../backend/js/index.js';
import { registerBackendConformance } from './suite.js';
import type { TestApi } from './test-api.js';

/**
 * The suite catches broken backends: each one below wraps the JS reference with one subtle bug, the
 * suite is registered into a list instead of vitest and run: some tests fail, and only the ones
 * about the broken kernel. (That the JS reference itself passes is js.test.ts under src/backend.)
 */

interface Outcome {
  registered: number;
  failed: string[];
}

/** Registers the whole suite on `backend` with a collecting test API, runs every test, and reports. */
function runSuite(backend: Backend): Outcome {
  const tests: { name: string; body: () => void }[] = [];
  const path: string[] = [];
  const api: TestApi = {
    describe(name, body) {
      path.push(name);
      body();
      path.pop();
    },
    it(name, body) {
      tests.push({ name: [...path.slice(1), name].join(' > '), body });
    },
  };
  registerBackendConformance(api, 'broken', backend);
  const failed: string[] = [];
  for (const test of tests) {
    try {
      test.body();
    } catch {
      failed.push(test.name);
    }
  }
  return { registered: tests.length, failed };
}

describe('the conformance suite on broken backends', () => {
  it('fails the matmul tests when one output element of long dot products is off by 1e-4 relative', () => {
    const matmul = (args: MatmulArgs): void => {
      jsBackend.matmul(args);
      if (args.k > 64 && args.out.length > 0) args.out[args.out.length - 1]! *= 1 + 1e-4;
    };
    const { registered, failed } = runSuite({ ...jsBackend, name: 'bad-matmul', matmul });
    expect(registered).toBeGreaterThan(100);
    expect(failed.length).toBeGreaterThan(0);
    for (const name of failed) expect(name).toMatch(/^matmul > /);
  });

  it("fails the accuracy tests when gelu flushes its negative tail to zero (within every test's atol)", () => {
    const unary: Backend['unary'] = (op: UnaryOp, x, out) => {
      jsBackend.unary(op, x, out);
      if (op === 'gelu') for (let i = 0; i < x.length; i++) if (x[i]! < -5.5) out[i] = 0;
    };
    const { failed } = runSuite({ ...jsBackend, name: 'bad-gelu', unary });
    expect(failed).toContain(
      'float32 accuracy against float64 references > gelu: AS-level absolute accuracy, and relative accuracy in the negative tail',
    );
    // the exact float64 comparison of the unary family sees it too
    for (const name of failed) expect(name).toMatch(/gelu|^unary > float64 and integer inputs/);
  });

  it('fails on a backend that lacks a kernel', () => {
    const { fold: _, ...withoutFold } = jsBackend;
    const { failed } = runSuite(withoutFold as Backend);
    expect(failed).toContain('implements every kernel of the backend table');
    for (const name of failed)
      expect(name).toMatch(/^implements every kernel|^window kernels > unfold and fold/);
  });
});
