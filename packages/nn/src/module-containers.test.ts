import { Generator, zeros } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { Dropout } from './layers/activation.js';
import { Linear } from './layers/linear.js';
import { Module, Parameter } from './module.js';
import { ModuleDict, ModuleList } from './module-containers.js';
import { loadModule, saveModule } from './serialization.js';

const linear = (i: number, o: number, seed = 0) => new Linear(i, o, { generator: new Generator(seed) });

class MultiHead extends Module {
  trunk = linear(4, 4);
  heads = new ModuleDict({ sentiment: linear(4, 2, 1), topic: linear(4, 3, 2) });
  drop = new Dropout(0.1);
}

describe('ModuleDict', () => {
  it('names its entries by key in insertion order, as PyTorch (heads.topic.weight)', () => {
    const m = new MultiHead();
    m.heads.set('lang', linear(4, 5, 3));
    expect(m.namedParameters().map(([n, p]) => `${n} [${p.shape.join(',')}]`)).toEqual([
      'trunk.weight [4,4]',
      'trunk.bias [4]',
      'heads.sentiment.weight [2,4]',
      'heads.sentiment.bias [2]',
      'heads.topic.weight [3,4]',
      'heads.topic.bias [3]',
      'heads.lang.weight [5,4]',
      'heads.lang.bias [5]',
    ]);
    expect(Object.keys(m.stateDict())).toEqual(m.namedParameters().map(([n]) => n));
    expect(m.namedModules().map(([n]) => n)).toEqual([
      '',
      'trunk',
      'heads',
      'heads.sentiment',
      'heads.topic',
      'heads.lang',
      'drop',
    ]);
  });

  it('keeps insertion order for integer-like keys given as pairs, and a replaced key keeps its place', () => {
    const d = new ModuleDict([
      ['b', linear(1, 1)],
      ['10', linear(1, 1)],
      ['2', linear(1, 1)],
    ]);
    expect([...d.keys()]).toEqual(['b', '10', '2']);
    const replacement = linear(1, 2);
    d.set('b', replacement);
    expect([...d].map(([k]) => k)).toEqual(['b', '10', '2']);
    expect(d.get('b')).toBe(replacement);
    expect(d.delete('10')).toBe(true);
    expect(d.has('10')).toBe(false);
    expect(d.size).toBe(2);
    expect(d.namedParameters().map(([n]) => n)).toEqual(['b.weight', 'b.bias', '2.weight', '2.bias']);
  });

  it('round-trips through stateDict / safetensors, and train()/eval() reach its entries', () => {
    const source = new MultiHead();
    const target = new MultiHead();
    target.heads.get('topic')!.weight.data = zeros([3, 4]);
    loadModule(target, saveModule(source));
    expect(target.heads.get('topic')!.weight.toArray()).toEqual(source.heads.get('topic')!.weight.toArray());
    target.eval();
    expect([...target.heads.values()].every((h) => !h.training)).toBe(true);
  });

  it('rejects keys PyTorch rejects and values that are not modules', () => {
    const d = new ModuleDict();
    expect(() => d.set('a.b', linear(1, 1))).toThrow(
      /keys must be non-empty strings without '\.', got "a\.b"/,
    );
    expect(() => d.set('', linear(1, 1))).toThrow(/got ""/);
    expect(() => d.set('w', new Parameter(zeros([1])) as unknown as Module)).toThrow(
      /'w' must be a Module, got Parameter/,
    );
  });
});

describe('ModuleList', () => {
  it('names its items 0, 1, … like an array field, and supports at, set, push, iteration', () => {
    class Stack extends Module {
      layers = new ModuleList([linear(2, 2), linear(2, 3)]);
      plain = [linear(3, 3)];
    }
    const s = new Stack();
    expect(s.layers.push(linear(3, 1))).toBe(3);
    expect(s.layers.length).toBe(3);
    expect(s.layers.at(-1)!.weight.shape).toEqual([1, 3]);
    s.layers.set(0, linear(2, 4));
    expect([...s.layers].map((l) => l.weight.shape[0])).toEqual([4, 3, 1]);
    expect(s.namedParameters().map(([n]) => n)).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'layers.1.weight',
      'layers.1.bias',
      'layers.2.weight',
      'layers.2.bias',
      'plain.0.weight',
      'plain.0.bias',
    ]);
    expect(() => s.layers.set(3, linear(1, 1))).toThrow(/index 3 out of range for length 3/);
    expect(() => s.layers.push({} as Linear)).toThrow(/item 3 must be a Module, got Object/);
  });
});
