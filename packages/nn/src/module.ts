import { Variable } from '@proj/autograd';
import { isDeviceStorage, type Tensor } from '@proj/tensor';
import { privateInstanceFields } from './private-fields.js';

/** A trainable tensor: a leaf {@link Variable} that requires grad and is found by {@link Module.parameters}. */
export class Parameter extends Variable {
  constructor(data: Tensor) {
    if (data.dtype !== 'float32' && data.dtype !== 'float64') {
      throw new Error(`Parameter: only float tensors can be trained, got ${data.dtype}`);
    }
    super(data, { requiresGrad: true });
  }
}

/**
 * A tensor a module keeps and saves with its state but does not train, PyTorch's buffer (BatchNorm's
 * running statistics): found in public fields like a {@link Parameter}, listed by
 * {@link Module.namedBuffers}, saved by {@link Module.stateDict} and restored by
 * {@link Module.loadStateDict}, never handed to an optimizer.
 */
export class Buffer {
  constructor(public data: Tensor) {}
}

/** Thrown by {@link Module.loadStateDict}, listing every missing, unexpected and misshaped key at once. */
export class StateDictError extends Error {
  override name = 'StateDictError';
}

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Throw on missing or unexpected keys (default true); misshaped keys always throw. */
  strict?: boolean;
}

/**
 * Base class of layers and models. Parameters, buffers and submodules are discovered from the
 * instance's public fields (in declaration order), including arrays of modules (`blocks.0.attn…`) as
 * PyTorch's `ModuleList`; names are PyTorch-style dotted paths. Fields starting with `_` are skipped.
 *
 * What reflection cannot see is an error rather than a silently untrained weight: a subclass that
 * declares a `#private` instance field throws at construction, and a field that keeps a Module or
 * Parameter inside a plain object, a Map, a Set or a nested array throws at the first reflection
 * (`parameters()`, `namedModules()`, `stateDict()`, …) that meets it.
 * @throws TypeError naming the class and the field.
 */
export abstract class Module {
  /** Training mode (dropout active); toggled for the whole tree by {@link train} / {@link eval}. */
  training = true;

  constructor() {
    rejectPrivateFields(new.target);
  }

  /**
   * Direct children: `[name, module]` for fields holding a Module or an array of Modules.
   * @throws TypeError when a field hides a Module or Parameter where reflection does not look.
   */
  namedChildren(): [string, Module][] {
    return reflectFields(this).children;
  }

  /** Every module of the tree (this one first) with its dotted path. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren())
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** Parameters held directly by this module's fields (including arrays of Parameters). */
  private ownParameters(): [string, Parameter][] {
    return reflectFields(this).parameters;
  }

  /**
   * Every parameter with its dotted name, each shared parameter once (under its first name), as
   * PyTorch's `named_parameters()`.
   */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [name, p] of this.allNamedParameters()) {
      if (seen.has(p)) continue;
      seen.add(p);
      out.push([name, p]);
    }
    return out;
  }

  /** Every parameter once. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Total number of trainable scalars (shared parameters counted once). */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  private allNamedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [path, module] of this.namedModules()) {
      for (const [name, p] of module.ownParameters()) out.push([path ? `${path}.${name}` : name, p]);
    }
    return out;
  }

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    for (const [, module] of this.namedModules()) module.training = mode;
    return this;
  }

  /** Evaluation mode (dropout off) for the whole tree. */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Every buffer with its dotted name, as PyTorch's `named_buffers()`. */
  namedBuffers(): [string, Buffer][] {
    return this.namedModules().flatMap(([path, module]) =>
      reflectFields(module).buffers.map(([name, b]): [string, Buffer] => [
        path ? `${path}.${name}` : name,
        b,
      ]),
    );
  }

  /**
   * Every parameter's and buffer's tensor by dotted name (tied parameters appear under each name, as
   * PyTorch).
   */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.stateEntries().map(([name, p]) => [name, p.data]));
  }

  /** Parameters then buffers, by dotted name. */
  private stateEntries(): [string, Parameter | Buffer][] {
    return [...this.allNamedParameters(), ...this.namedBuffers()];
  }

  /**
   * Copies tensors into the parameters and buffers by name (converted to each one's dtype), keeping
   * each where it lives: one in a device's memory (a GPU's) gets the values there, as PyTorch's
   * `load_state_dict` copies into a parameter on its device.
   * @throws StateDictError listing every misshaped key, and (when strict) every missing and unexpected key.
   */
  loadStateDict(
    record: Record<string, Tensor>,
    options: LoadStateDictOptions = {},
  ): { missing: string[]; unexpected: string[] } {
    const strict = options.strict ?? true;
    const params = new Map(this.stateEntries());
    const missing = [...params.keys()].filter((k) => !(k in record));
    const unexpected = Object.keys(record).filter((k) => !params.has(k));
    const misshaped = [...params]
      .filter(([k, p]) => k in record && !sameShape(record[k]!.shape, p.data.shape))
      .map(([k, p]) => `${k}: expected [${p.data.shape.join(', ')}], got [${record[k]!.shape.join(', ')}]`);
    const problems = [
      ...(misshaped.length ? [`misshaped keys: ${misshaped.join('; ')}`] : []),
      ...(strict && missing.length ? [`missing keys: ${missing.join(', ')}`] : []),
      ...(strict && unexpected.length ? [`unexpected keys: ${unexpected.join(', ')}`] : []),
    ];
    if (problems.length) throw new StateDictError(`loadStateDict: ${problems.join('. ')}`);
    for (const [name, p] of params) {
      const source = record[name];
      if (source) p.data = loadedInto(p.data, source);
    }
    return { missing, unexpected };
  }
}

/** A copy of `source` converted to `current`'s dtype, in the memory `current` lives in. */
function loadedInto(current: Tensor, source: Tensor): Tensor {
  if (isDeviceStorage(current.buffer)) return current.clone().assign(source);
  return source.dtype === current.dtype ? source.clone() : source.to(current.dtype);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** What {@link reflectFields} finds in one module's own fields. */
interface Reflected {
  children: [string, Module][];
  parameters: [string, Parameter][];
  buffers: [string, Buffer][];
}

/** Per module, the field values already searched for hidden modules, so each is searched once. */
const searchedFields = new WeakMap<Module, Map<string, unknown>>();

/**
 * The Modules and Parameters in `owner`'s public fields, and the items of array fields that are
 * (`field.i`); fields starting with `_` are skipped.
 * @throws TypeError when a field keeps a Module or Parameter where reflection does not look.
 */
function reflectFields(owner: Module): Reflected {
  const out: Reflected = { children: [], parameters: [], buffers: [] };
  let searched = searchedFields.get(owner);
  for (const [key, value] of Object.entries(owner)) {
    if (key.startsWith('_')) continue;
    if (value instanceof Module) out.children.push([key, value]);
    else if (value instanceof Parameter) out.parameters.push([key, value]);
    else if (value instanceof Buffer) out.buffers.push([key, value]);
    else if (typeof value === 'object' && value !== null) {
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          if (item instanceof Module) out.children.push([`${key}.${i}`, item]);
          else if (item instanceof Parameter) out.parameters.push([`${key}.${i}`, item]);
        });
      }
      if (searched?.get(key) === value) continue;
      const hidden = hiddenReflectable(value, key);
      if (hidden) throw new TypeError(hiddenMessage(owner, key, hidden));
      if (!searched) searchedFields.set(owner, (searched = new Map()));
      searched.set(key, value);
    }
  }
  return out;
}

/**
 * The path of a Module or Parameter that the field value `value` keeps out of reflection's sight:
 * inside a plain object, a Map, a Set, or an array that is not the field itself (Modules and
 * Parameters directly in a field's array are found). Instances of other classes (tensors,
 * generators, tokenizers) are not searched.
 */
function hiddenReflectable(value: object, path: string): Hidden | null {
  const seen = new Set<object>();
  const search = (item: unknown, itemPath: string, isField = false): Hidden | null => {
    if (!isField && (item instanceof Module || item instanceof Parameter || item instanceof Buffer))
      return {
        path: itemPath,
        what: item instanceof Buffer ? 'Buffer' : item instanceof Module ? 'Module' : 'Parameter',
      };
    if (typeof item !== 'object' || item === null || seen.has(item)) return null;
    seen.add(item);
    let found: Hidden | null = null;
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length && !found; i++) {
        const element: unknown = item[i];
        if (!(isField && (element instanceof Module || element instanceof Parameter)))
          found = search(element, `${itemPath}[${i}]`);
      }
    } else if (item instanceof Map) {
      for (const [k, v] of item)
        found ??= search(k, `${itemPath} (a Map key)`) ?? search(v, `${itemPath}.get(${JSON.stringify(k)})`);
    } else if (item instanceof Set) {
      for (const v of item) found ??= search(v, `${itemPath} (a Set item)`);
    } else if (isPlainObject(item)) {
      for (const [k, v] of Object.entries(item)) found ??= search(v, `${itemPath}.${k}`);
    }
    return found;
  };
  return search(value, path, true);
}

/** A Module or Parameter found where reflection does not look. */
interface Hidden {
  path: string;
  what: 'Module' | 'Parameter' | 'Buffer';
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function hiddenMessage(owner: Module, key: string, hidden: Hidden): string {
  return (
    `${owner.constructor.name}: field '${key}' keeps a ${hidden.what} at ${hidden.path}, where module ` +
    'reflection does not look, so it would never be trained, saved or loaded. Hold modules in a ' +
    'ModuleDict (named) or a ModuleList or array (numbered), and parameters in fields or arrays of ' +
    `their own; name the field '_${key}' if it deliberately holds modules that are not part of this one.`
  );
}

/** Per class, the error its `#private` instance fields call for (null when it has none). */
const privateFieldErrors = new WeakMap<abstract new () => Module, string | null>();

/**
 * Throws when `cls` or a class between it and {@link Module} declares a `#private` instance field,
 * which reflection cannot enumerate (see `private-fields.ts` for how they are found).
 */
function rejectPrivateFields(cls: abstract new () => Module): void {
  let message = privateFieldErrors.get(cls);
  if (message === undefined) {
    message = null;
    for (let c = cls; c !== Module && message === null; c = Object.getPrototypeOf(c)) {
      const [field] = privateInstanceFields(c);
      if (field !== undefined) message = privateFieldMessage(c.name, field);
    }
    privateFieldErrors.set(cls, message);
  }
  if (message !== null) throw new TypeError(message);
}

function privateFieldMessage(className: string, field: string): string {
  return (
    `${className}: Module subclasses cannot have #private fields such as #${field}: reflection cannot ` +
    'see them, so a Module or Parameter kept there would never be trained, saved or loaded. Use a ' +
    `public field ('${field}', or TypeScript's 'private ${field}', which is public at run time) for ` +
    `modules and parameters, and a field whose name starts with '_' ('_${field}') for other state.`
  );
}
