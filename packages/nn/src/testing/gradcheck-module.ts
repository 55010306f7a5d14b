import { type GradcheckOptions, type GradcheckReport, gradcheck, type Variable } from '@proj/autograd';
import type { Tensor } from '@proj/tensor';
import type { Module, Parameter } from '../module.js';

/** A field (or array slot) of a module that holds a parameter. */
interface Slot {
  owner: Record<string, unknown>;
  key: string;
  index: number | null;
}

/** Every field of the tree that holds `p` (a tied parameter sits in several). */
function slotsOf(module: Module, p: Parameter): Slot[] {
  const slots: Slot[] = [];
  for (const [, m] of module.namedModules()) {
    for (const [key, value] of Object.entries(m)) {
      if (value === p) slots.push({ owner: m as unknown as Record<string, unknown>, key, index: null });
      else if (Array.isArray(value))
        value.forEach((item, i) => {
          if (item === p) slots.push({ owner: m as unknown as Record<string, unknown>, key, index: i });
        });
    }
  }
  return slots;
}

function put(slot: Slot, value: unknown): void {
  if (slot.index === null) slot.owner[slot.key] = value;
  else (slot.owner[slot.key] as unknown[])[slot.index] = value;
}

/**
 * Test helper: @proj/autograd's {@link gradcheck} over a module's inputs AND every parameter.
 * During each call of `fn` the module's parameter fields temporarily hold gradcheck's float64
 * leaves, so both the analytic and the numeric gradient of each parameter are checked.
 * Build the module with `dtype: 'float64'`.
 */
export function gradcheckModule(
  module: Module,
  fn: (...inputs: Variable[]) => Variable,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckReport {
  const params = module.parameters();
  const slots = params.map((p) => slotsOf(module, p));
  return gradcheck(
    (...leaves) => {
      slots.forEach((s, i) => {
        for (const slot of s) put(slot, leaves[inputs.length + i]);
      });
      try {
        return fn(...leaves.slice(0, inputs.length));
      } finally {
        slots.forEach((s, i) => {
          for (const slot of s) put(slot, params[i]);
        });
      }
    },
    [...inputs, ...params.map((p) => p.data)],
    options,
  );
}
