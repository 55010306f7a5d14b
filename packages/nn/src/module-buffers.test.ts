import { tensor, zeros } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { Linear } from './layers/linear.js';
import { Buffer, Module, Parameter, StateDictError } from './module.js';
import { loadModule, saveModule } from './serialization.js';

class Counter extends Module {
  weight = new Parameter(zeros([2]));
  stats = new Buffer(tensor([1, 2, 3]));
  steps = new Buffer(tensor(0, { dtype: 'int32' }));
  inner = new Linear(2, 1);
}

describe('Module buffers', () => {
  it('are listed by namedBuffers, saved by stateDict (after the parameters), and never trained', () => {
    const m = new Counter();
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['stats', 'steps']);
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'inner.weight', 'inner.bias', 'stats', 'steps']);
    expect(m.parameters()).toHaveLength(3);
  });

  it('load by name in their own dtype, with misshaped and missing buffers reported', () => {
    const m = new Counter();
    const state = { ...m.stateDict(), stats: tensor([4, 5, 6]), steps: tensor(7) };
    m.loadStateDict(state);
    expect(m.stats.data.toArray()).toEqual([4, 5, 6]);
    expect(m.steps.data.dtype).toBe('int32');
    expect(m.steps.data.item()).toBe(7);
    expect(() => m.loadStateDict({ ...state, stats: tensor([1]) })).toThrow(
      'loadStateDict: misshaped keys: stats: expected [3], got [1]',
    );
    const { steps: _, ...withoutSteps } = state;
    expect(() => m.loadStateDict(withoutSteps)).toThrow(StateDictError);
    expect(() => m.loadStateDict(withoutSteps)).toThrow('missing keys: steps');
  });

  it('round-trip through safetensors', () => {
    const m = new Counter();
    m.stats.data = tensor([9, 8, 7]);
    const copy = new Counter();
    loadModule(copy, saveModule(m));
    expect(copy.stats.data.toArray()).toEqual([9, 8, 7]);
  });

  it('hidden where reflection does not look are an error naming the field', () => {
    class Hidden extends Module {
      state = { mean: new Buffer(zeros([1])) };
    }
    expect(() => new Hidden().stateDict()).toThrow("Hidden: field 'state' keeps a Buffer at state.mean");
  });
});
