import { Generator, loadSafetensors, readSafetensorsHeader, zeros } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { Linear } from './layers/linear.js';
import { Module, Parameter } from './module.js';
import { loadModule, saveModule } from './serialization.js';

class Tiny extends Module {
  layers: Linear[];
  scale: Parameter;
  constructor(seed: number) {
    super();
    this.layers = [
      new Linear(3, 4, { generator: new Generator(seed) }),
      new Linear(4, 2, { generator: new Generator(seed + 1) }),
    ];
    this.scale = new Parameter(zeros([1], { dtype: 'float64' }));
  }
}

describe('saveModule / loadModule', () => {
  it('round-trips every parameter through safetensors bytes, dtypes and metadata included', () => {
    const source = new Tiny(0);
    source.scale.data = source.scale.data.add(1.5);
    const bytes = saveModule(source, { step: '10' });
    expect(readSafetensorsHeader(bytes).header.__metadata__).toEqual({ step: '10' });
    const file = loadSafetensors(bytes);
    expect(Object.keys(file).sort()).toEqual([
      'layers.0.bias',
      'layers.0.weight',
      'layers.1.bias',
      'layers.1.weight',
      'scale',
    ]);
    expect(file.scale!.dtype).toBe('float64');
    const target = new Tiny(7);
    expect(target.layers[0]!.weight.toArray()).not.toEqual(source.layers[0]!.weight.toArray());
    loadModule(target, bytes);
    for (const [name, p] of target.namedParameters())
      expect(p.toArray()).toEqual(source.stateDict()[name]!.toArray());
    expect(target.scale.toArray()).toEqual([1.5]);
  });

  it('reports a mismatched module by name', () => {
    const bytes = saveModule(new Linear(3, 4));
    expect(() => loadModule(new Linear(3, 5), bytes)).toThrow(/weight: expected \[5, 3\], got \[4, 3\]/);
    expect(() => loadModule(new Tiny(0), bytes)).toThrow(
      /missing keys: scale, layers\.0\.weight, .*unexpected keys: bias, weight/,
    );
    expect(loadModule(new Tiny(0), saveModule(new Tiny(1)), { strict: false })).toEqual({
      missing: [],
      unexpected: [],
    });
  });
});
