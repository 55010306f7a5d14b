import { Variable } from '@proj/autograd';
import type { Tensor } from '@proj/tensor';

/** A trainable tensor: a leaf {@link Variable} that requires grad and is found by {@link Module.parameters}. */
export class Parameter extends Variable {
  constructor(data: Tensor) {
    if (data.dtype !== 'float32' && data.dtype !== 'float64') {
      throw new Error(`Parameter: only float tensors can be trained, got ${data.dtype}`);
    }
    super(data, { requiresGrad: true });
  }
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
 * Base class of layers and models. Parameters and submodules are discovered from the instance's
 * fields (in declaration order), including arrays of modules (`blocks.0.attn…`) as PyTorch's
 * `ModuleList`; names are PyTorch-style dotted paths. Fields starting with `_` are skipped.
 */
export abstract class Module {
  /** Training mode (dropout active); toggled for the whole tree by {@link train} / {@link eval}. */
  training = true;

  /** Direct children: `[name, module]` for fields holding a Module or an array of Modules. */
  namedChildren(): [string, Module][] {
    return fieldsOfType(this, Module);
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
    return fieldsOfType(this, Parameter);
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

  /** Every parameter's tensor by dotted name (tied parameters appear under each name, as PyTorch). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.allNamedParameters().map(([name, p]) => [name, p.data]));
  }

  /**
   * Copies tensors into the parameters by name (converted to each parameter's dtype).
   * @throws StateDictError listing every misshaped key, and (when strict) every missing and unexpected key.
   */
  loadStateDict(
    record: Record<string, Tensor>,
    options: LoadStateDictOptions = {},
  ): { missing: string[]; unexpected: string[] } {
    const strict = options.strict ?? true;
    const params = new Map(this.allNamedParameters());
    const missing = [...params.keys()].filter((k) => !(k in record));
    const unexpected = Object.keys(record).filter((k) => !params.has(k));
    const misshaped = [...params]
      .filter(([k, p]) => k in record && !sameShape(record[k]!.shape, p.shape))
      .map(([k, p]) => `${k}: expected [${p.shape.join(', ')}], got [${record[k]!.shape.join(', ')}]`);
    const problems = [
      ...(misshaped.length ? [`misshaped keys: ${misshaped.join('; ')}`] : []),
      ...(strict && missing.length ? [`missing keys: ${missing.join(', ')}`] : []),
      ...(strict && unexpected.length ? [`unexpected keys: ${unexpected.join(', ')}`] : []),
    ];
    if (problems.length) throw new StateDictError(`loadStateDict: ${problems.join('. ')}`);
    for (const [name, p] of params) {
      const source = record[name];
      if (source) p.data = source.dtype === p.dtype ? source.clone() : source.to(p.dtype);
    }
    return { missing, unexpected };
  }
}

/**
 * The fields of `owner` holding an instance of `type`, and the items of array fields that do, named
 * `field` and `field.i`; fields starting with `_` are skipped.
 */
function fieldsOfType<T>(owner: object, type: abstract new (...args: never[]) => T): [string, T][] {
  const out: [string, T][] = [];
  for (const [key, value] of Object.entries(owner)) {
    if (key.startsWith('_')) continue;
    if (value instanceof type) out.push([key, value]);
    else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (item instanceof type) out.push([`${key}.${i}`, item]);
      });
    }
  }
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
