import type { Variable } from '@proj/autograd';
import { isDeviceStorage, type Tensor, zeros } from '@proj/tensor';

/** A parameter group as given to an optimizer: its parameters plus options overriding the defaults. */
export type ParamGroupInput<O> = { params: Iterable<Variable> } & Partial<O>;

/** A parameter group inside an optimizer: every option resolved. Change `lr` here to schedule it. */
export type ParamGroup<O> = O & { params: Variable[] };

/** The serialisable state of one parameter: its step count and its buffers (moments, momentum). */
export interface ParamState {
  /** Number of updates applied to this parameter. */
  step: number;
  /** Buffers by name (`expAvg`, `expAvgSq`, `maxExpAvgSq`, `momentumBuffer`), shaped as the parameter. */
  buffers: Record<string, Tensor>;
}

/**
 * An optimizer's state as PyTorch's `state_dict()`: per-parameter state keyed by the parameter's
 * position across all groups, and each group's options with the positions of its parameters.
 */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/** Internal per-parameter slot: the preallocated buffers an update writes in place. */
export interface Slot {
  step: number;
  /** Dense tensors shaped and typed as the parameter, in the memory of the backend that made them. */
  buffers: Record<string, Tensor>;
}

/**
 * Base class of optimizers: parameter groups with their own options, per-parameter buffers
 * allocated once, `zeroGrad`, and `stateDict`/`loadStateDict` for exact resumption.
 * Subclasses implement {@link Optimizer.update} with tensor ops that write the parameter and its
 * buffers in place (`assign`, or a fused function such as `adamwStep`), so they run on any backend.
 */
export abstract class Optimizer<O extends object> {
  /** Groups of parameters with their resolved options (`lr`, …), mutable like PyTorch's `param_groups`. */
  readonly paramGroups: ParamGroup<O>[];
  /** The options every group starts from. */
  readonly defaults: Readonly<O>;
  private readonly slots = new Map<Variable, Slot>();

  /**
   * @param params parameters, or parameter groups (`{ params, ...options }`) overriding `defaults`.
   * @param bufferNames names of the per-parameter buffers this optimizer keeps for a group.
   * @throws Error when a parameter appears twice, is not a float tensor, or there are none.
   */
  protected constructor(
    readonly name: string,
    params: Iterable<Variable> | Iterable<ParamGroupInput<O>>,
    defaults: O,
    private readonly bufferNames: (group: O) => string[],
  ) {
    this.defaults = Object.freeze({ ...defaults });
    const items = [...params] as (Variable | ParamGroupInput<O>)[];
    const groups: ParamGroupInput<O>[] =
      items.length > 0 && isGroup(items[0]!)
        ? (items as ParamGroupInput<O>[])
        : [{ params: items as Variable[] } as unknown as ParamGroupInput<O>];
    this.paramGroups = [];
    for (const group of groups) this.addParamGroup(group);
    if (this.paramGroups.every((g) => g.params.length === 0))
      throw new Error(`${name}: got an empty parameter list`);
  }

  /** Adds a group (PyTorch's `add_param_group`), allocating its buffers. */
  addParamGroup(input: ParamGroupInput<O>): void {
    const resolved = { ...this.defaults } as Record<string, unknown>;
    for (const [key, value] of Object.entries(input))
      if (key !== 'params' && value !== undefined) resolved[key] = value;
    const group = { ...resolved, params: [...input.params] } as ParamGroup<O>;
    this.validate(group);
    for (const p of group.params) {
      if (this.slots.has(p))
        throw new Error(`${this.name}: some parameters appear in more than one parameter group`);
      if (p.dtype !== 'float32' && p.dtype !== 'float64')
        throw new Error(`${this.name}: can only optimize float tensors, got ${p.dtype}`);
      const buffers: Record<string, Tensor> = {};
      for (const name of this.bufferNames(group)) buffers[name] = zeros(p.shape, { dtype: p.dtype });
      this.slots.set(p, { step: 0, buffers });
    }
    this.paramGroups.push(group);
  }

  /** Checks a group's options. @throws RangeError naming the bad option. */
  protected abstract validate(group: ParamGroup<O>): void;

  /**
   * Updates one parameter in place: `param` is its data (dense: contiguous over its whole storage),
   * `grad` its gradient (of the same size, possibly a view), `slot` its buffers (`slot.step` is the
   * number of updates before this one).
   */
  protected abstract update(group: ParamGroup<O>, param: Tensor, grad: Tensor, slot: Slot): void;

  /** Performs one optimization step on every parameter with a gradient, in place. */
  step(): void {
    for (let i = 0; i < this.paramGroups.length; i++) {
      const group = this.paramGroups[i]!;
      for (let k = 0; k < group.params.length; k++) {
        const p = group.params[k]!;
        const grad = checkedGrad(p);
        if (grad) this.update(group, denseData(p), grad, this.slots.get(p)!);
      }
    }
  }

  /** Clears every parameter's gradient (to `null`, as PyTorch's default `set_to_none=True`). */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.grad = null;
  }

  /**
   * The state as plain data (buffers copied into tensors), for checkpoints.
   * @example const saved = opt.stateDict(); later.loadStateDict(saved);
   */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    const paramGroups: OptimizerStateDict['paramGroups'] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const { params, ...options } = group;
      const ids: number[] = [];
      for (const p of params) {
        const slot = this.slots.get(p)!;
        if (slot.step > 0) {
          const buffers: Record<string, Tensor> = {};
          for (const [name, buf] of Object.entries(slot.buffers)) buffers[name] = buf.clone();
          state[index] = { step: slot.step, buffers };
        }
        ids.push(index++);
      }
      paramGroups.push({ ...structuredCloneOptions(options), params: ids });
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state saved by {@link stateDict} from an optimizer over the same parameters (same
   * groups, same order, same shapes); copies into the existing buffers.
   * @throws Error when the groups, parameter counts, buffer names or shapes differ.
   */
  loadStateDict(saved: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (saved.paramGroups.length !== this.paramGroups.length)
      throw new Error(
        `${where}: saved state has ${saved.paramGroups.length} groups, optimizer has ${this.paramGroups.length}`,
      );
    const params = this.paramGroups.flatMap((g) => g.params);
    saved.paramGroups.forEach((g, i) => {
      const own = this.paramGroups[i]!;
      if (g.params.length !== own.params.length)
        throw new Error(
          `${where}: group ${i} has ${g.params.length} parameters saved, ${own.params.length} here`,
        );
    });
    for (const [key, entry] of Object.entries(saved.state)) {
      const p = params[Number(key)];
      if (!p) throw new Error(`${where}: state for parameter ${key}, but there are ${params.length}`);
      const slot = this.slots.get(p)!;
      const names = Object.keys(slot.buffers).sort().join(', ');
      if (Object.keys(entry.buffers).sort().join(', ') !== names)
        throw new Error(
          `${where}: parameter ${key} has buffers [${Object.keys(entry.buffers).join(', ')}], expected [${names}]`,
        );
      for (const [name, t] of Object.entries(entry.buffers)) {
        if (
          t.size !== p.size ||
          t.shape.length !== p.shape.length ||
          t.shape.some((d, j) => d !== p.shape[j])
        )
          throw new Error(
            `${where}: ${name} of parameter ${key} has shape [${t.shape.join(', ')}], parameter has [${p.shape.join(', ')}]`,
          );
      }
    }
    const merged = saved.paramGroups.map((g, i) => {
      const group = { ...this.paramGroups[i]!, ...g, params: this.paramGroups[i]!.params };
      this.validate(group);
      return group;
    });
    merged.forEach((group, i) => Object.assign(this.paramGroups[i]!, group));
    params.forEach((p, i) => {
      const slot = this.slots.get(p)!;
      const entry = saved.state[i];
      slot.step = entry?.step ?? 0;
      for (const [name, buf] of Object.entries(slot.buffers)) {
        buf.assign(entry?.buffers[name] ?? 0);
      }
    });
  }
}

function isGroup<O>(item: Variable | ParamGroupInput<O>): item is ParamGroupInput<O> {
  return typeof item === 'object' && item !== null && 'params' in item;
}

function structuredCloneOptions(options: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
}

/** `p.data`, made dense once (a contiguous copy replaces it) if it is a view, so it can be updated in place. */
function denseData(p: Variable): Tensor {
  const t = p.data;
  if (!(t.offset === 0 && t.buffer.length === t.size && t.isContiguous())) p.data = t.clone();
  return p.data;
}

/** The gradient of `p`, checked to have the parameter's size. */
function checkedGrad(p: Variable): Tensor | null {
  const g = p.grad;
  if (g && g.size !== p.size)
    throw new Error(
      `optimizer: gradient of shape [${g.shape.join(', ')}] for a parameter of shape [${p.shape.join(', ')}]`,
    );
  return g;
}

/**
 * The dtype an optimizer's elementwise update computes in: float64 for tensors in host memory (the
 * double-precision arithmetic of a plain JavaScript loop, rounded once when written back), the
 * parameter's own dtype in a device's memory (which may hold no float64).
 */
export function updateDType(param: Tensor): Tensor['dtype'] {
  return isDeviceStorage(param.buffer) ? param.dtype : 'float64';
}
