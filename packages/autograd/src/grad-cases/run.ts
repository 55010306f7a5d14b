import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../index.js';
import type { CaseSet } from './arbitraries.js';

/** Options of {@link checkGradients}. */
export interface CheckOptions {
  /** fast-check runs per variant (default 20). */
  numRuns?: number;
}

/**
 * Registers one vitest case per (op, variant): for random trials drawn from the variant,
 * the public `gradcheck` must report analytic == numeric.
 */
export function checkGradients(cases: Readonly<Record<string, CaseSet>>, options: CheckOptions = {}): void {
  const { numRuns = 20 } = options;
  for (const [op, variants] of Object.entries(cases)) {
    describe(op, () => {
      for (const [variant, arb] of Object.entries(variants)) {
        it(`${variant}: analytic gradient == numeric gradient`, () => {
          fc.assert(
            fc.property(arb, (trial) => {
              const report = gradcheck(trial.fn, trial.inputs, trial.options);
              expect(report.ok, `worst mismatch ${JSON.stringify(report.worst)}`).toBe(true);
            }),
            { numRuns },
          );
        });
      }
    });
  }
}
