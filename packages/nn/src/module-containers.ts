import { Module } from './module.js';

/**
 * Modules by string key, as PyTorch's `nn.ModuleDict`: its entries are children named by key
 * (`heads.a.weight` for `this.heads = new ModuleDict({ a, b })`), in insertion order, in
 * `namedParameters()`, `stateDict()`, `train()`/`eval()` and everything else that walks the tree.
 * It reads like a `Map`: `get`, `set`, `has`, `delete`, `size`, and iteration over `[key, module]`.
 * @throws TypeError for a key that is empty or contains `.`, or a value that is not a Module.
 * @example
 * this.heads = new ModuleDict({ sentiment: new Linear(64, 2), topic: new Linear(64, 10) });
 * const logits = this.heads.get('topic')!.forward(h);
 */
export class ModuleDict<M extends Module = Module> extends Module implements Iterable<[string, M]> {
  private readonly _modules = new Map<string, M>();

  /** `modules` as an object (its key order) or as `[key, module]` pairs (their order). */
  constructor(modules: Readonly<Record<string, M>> | Iterable<readonly [string, M]> = {}) {
    super();
    this.update(modules);
  }

  /** The number of entries. */
  get size(): number {
    return this._modules.size;
  }

  /** The module under `key`, or undefined. */
  get(key: string): M | undefined {
    return this._modules.get(key);
  }

  /** Whether `key` has a module. */
  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** Puts `module` under `key`; an existing key keeps its position (as a Python dict). */
  set(key: string, module: M): this {
    if (typeof key !== 'string' || key === '' || key.includes('.'))
      throw new TypeError(
        `ModuleDict: keys must be non-empty strings without '.', got ${JSON.stringify(key)}`,
      );
    if (!(module instanceof Module))
      throw new TypeError(`ModuleDict: '${key}' must be a Module, got ${describe(module)}`);
    this._modules.set(key, module);
    return this;
  }

  /** Removes `key`; true when it was there (PyTorch's `pop` without the value). */
  delete(key: string): boolean {
    return this._modules.delete(key);
  }

  /** Sets every entry of `modules`, in order. */
  update(modules: Readonly<Record<string, M>> | Iterable<readonly [string, M]>): this {
    const entries = Symbol.iterator in modules ? modules : Object.entries(modules);
    for (const [key, module] of entries as Iterable<readonly [string, M]>) this.set(key, module);
    return this;
  }

  /** Keys in insertion order. */
  keys(): IterableIterator<string> {
    return this._modules.keys();
  }

  /** Modules in insertion order. */
  values(): IterableIterator<M> {
    return this._modules.values();
  }

  /** `[key, module]` pairs in insertion order. */
  entries(): IterableIterator<[string, M]> {
    return this._modules.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, M]> {
    return this._modules.entries();
  }

  override namedChildren(): [string, Module][] {
    return [...this._modules];
  }
}

/**
 * Modules in order, as PyTorch's `nn.ModuleList`: children named `0`, `1`, … A plain array field
 * of modules is found the same way; this class is for code that wants PyTorch's name or a list
 * to pass around as one module.
 * @throws TypeError for an item that is not a Module.
 * @example this.blocks = new ModuleList([new TransformerBlock(64, 4), new TransformerBlock(64, 4)]);
 */
export class ModuleList<M extends Module = Module> extends Module implements Iterable<M> {
  private readonly _modules: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    this.push(...modules);
  }

  /** The number of modules. */
  get length(): number {
    return this._modules.length;
  }

  /** The module at `index` (negative counts from the end), or undefined. */
  at(index: number): M | undefined {
    return this._modules.at(index);
  }

  /** Replaces the module at `index` (negative counts from the end). */
  set(index: number, module: M): this {
    const i = index < 0 ? index + this._modules.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= this._modules.length)
      throw new RangeError(`ModuleList: index ${index} out of range for length ${this._modules.length}`);
    this._modules[i] = checkedModule(module, i);
    return this;
  }

  /** Appends modules; returns the new length. */
  push(...modules: M[]): number {
    for (const module of modules) this._modules.push(checkedModule(module, this._modules.length));
    return this._modules.length;
  }

  [Symbol.iterator](): IterableIterator<M> {
    return this._modules.values();
  }

  override namedChildren(): [string, Module][] {
    return this._modules.map((module, i) => [String(i), module]);
  }
}

function checkedModule<M>(module: M, index: number): M {
  if (!(module instanceof Module))
    throw new TypeError(`ModuleList: item ${index} must be a Module, got ${describe(module)}`);
  return module;
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return value.constructor?.name ?? 'an object';
}
