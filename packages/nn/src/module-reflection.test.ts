import { Generator, ones, zeros } from '@proj/tensor';
import { describe, expect, it } from 'vitest';
import { Linear } from './layers/linear.js';
import { Module, Parameter } from './module.js';
import { ModuleDict } from './module-containers.js';

const g = () => ({ generator: new Generator(0) });

/** The TypeError message that `run` throws. */
function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('expected a TypeError');
}

describe('modules and parameters that reflection cannot see are errors', () => {
  it('a plain object of modules: names the class, the field and the path, suggests ModuleDict', () => {
    class Heads extends Module {
      heads = { a: new Linear(4, 2, g()), b: new Linear(4, 3, g()) };
    }
    const message = messageOf(() => new Heads().namedParameters());
    expect(message).toContain("Heads: field 'heads' keeps a Module at heads.a");
    expect(message).toContain('ModuleDict');
    expect(message).toContain("'_heads'");
    // The same modules in a ModuleDict are found.
    class Fixed extends Module {
      heads = new ModuleDict({ a: new Linear(4, 2, g()), b: new Linear(4, 3, g()) });
    }
    expect(new Fixed().namedParameters().map(([n]) => n)).toEqual([
      'heads.a.weight',
      'heads.a.bias',
      'heads.b.weight',
      'heads.b.bias',
    ]);
  });

  it('parameters in a plain object, a Map, a Set or a nested array, at any depth', () => {
    const p = () => new Parameter(ones([2]));
    class InObject extends Module {
      scales = { inner: { gain: p() } };
    }
    class InMap extends Module {
      scales = new Map([['gain', p()]]);
    }
    class InSet extends Module {
      layers = new Set([new Linear(2, 2, g())]);
    }
    class Nested extends Module {
      grid = [[new Linear(2, 2, g())], [new Linear(2, 2, g())]];
    }
    class ObjectsInArray extends Module {
      layers = [{ proj: new Linear(2, 2, g()) }];
    }
    expect(messageOf(() => new InObject().parameters())).toContain(
      "InObject: field 'scales' keeps a Parameter at scales.inner.gain",
    );
    expect(messageOf(() => new InMap().stateDict())).toContain('keeps a Parameter at scales.get("gain")');
    expect(messageOf(() => new InSet().namedModules())).toContain("field 'layers' keeps a Module");
    expect(messageOf(() => new Nested().train())).toContain("field 'grid' keeps a Module at grid[0]");
    expect(messageOf(() => new ObjectsInArray().zeroGrad())).toContain('at layers[0].proj');
  });

  it('is raised by a child too, wherever the walk starts', () => {
    class Inner extends Module {
      parts = { w: new Parameter(zeros([1])) };
    }
    class Outer extends Module {
      inner = new Inner();
    }
    expect(messageOf(() => new Outer().numParameters())).toContain("Inner: field 'parts'");
  });

  it('a field whose name starts with _ is an explicit opt-out; data, tensors and class instances pass', () => {
    class Ok extends Module {
      _frozen = { reference: new Linear(2, 2, g()) };
      config = { sizes: [1, 2, [3]], nested: { name: 'x' } };
      buffer = zeros([3]);
      lookup = new Map([['a', 1]]);
      generator = new Generator(1);
      weight = new Parameter(ones([2]));
    }
    const m = new Ok();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['weight']); // again, from the cache
  });

  it('a field assigned a hiding value after the first reflection is caught at the next one', () => {
    class Late extends Module {
      head: unknown = new Linear(2, 2, g());
    }
    const m = new Late();
    expect(m.parameters().length).toBe(2);
    m.head = { a: new Linear(2, 2, g()) };
    expect(messageOf(() => m.parameters())).toContain("field 'head' keeps a Module at head.a");
  });

  it('a #private instance field is rejected at construction, naming it and the alternatives', () => {
    class Secret extends Module {
      #head = new Linear(4, 2, g());
      forward() {
        return this.#head;
      }
    }
    const message = messageOf(() => new Secret());
    expect(message).toContain('Secret: Module subclasses cannot have #private fields such as #head');
    expect(message).toContain("TypeScript's 'private head'");
    expect(message).toContain("'_head'");
  });

  it('also when the field is declared bare and assigned in the constructor, or in a base class', () => {
    class Assigned extends Module {
      #weight: Parameter;
      constructor() {
        super();
        this.#weight = new Parameter(ones([2]));
      }
      get weight() {
        return this.#weight;
      }
    }
    class Base extends Module {
      #count = 0;
      bump() {
        return ++this.#count;
      }
    }
    class Derived extends Base {
      layer = new Linear(2, 2, g());
    }
    expect(messageOf(() => new Assigned())).toContain('#weight');
    expect(messageOf(() => new Derived())).toContain(
      'Base: Module subclasses cannot have #private fields such as #count',
    );
  });

  it('private methods, static private fields and brand checks are fine', () => {
    class Fine extends Module {
      static #instances = 0;
      weight = new Parameter(ones([2]));
      label = 'not a #field, a string';
      constructor() {
        super();
        Fine.#instances++;
      }
      #scaled(k: number) {
        return this.weight.mul(k);
      }
      static instances() {
        return Fine.#instances;
      }
      static isFine(x: object) {
        return #scaled in x;
      }
      forward() {
        return this.#scaled(2); // a comment mentioning #hidden is fine too
      }
    }
    const m = new Fine();
    expect(m.parameters().length).toBe(1);
    expect(Fine.isFine(m)).toBe(true);
    expect(Fine.instances()).toBe(1);
  });
});
