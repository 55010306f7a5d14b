import { isDeviceStorage, type Storage, Tensor } from '@proj/tensor';
import { type AllocationScope, beginAllocationScope } from '@proj/tensor/internal';
import { isGradEnabled } from './grad-mode.js';
import { PendingGrad, RegionGrad } from './region-grad.js';
import { fmtShapeOf } from './tensor-utils.js';
import { Variable } from './variable.js';

/**
 * A local gradient rule: given d(loss)/d(output), returns d(loss)/d(input) for each input (null:
 * none); a {@link RegionGrad} stands for zeros outside one slab (the views that pick a part).
 */
export type BackwardRule = (grad: Tensor) => readonly (Tensor | RegionGrad | null)[];

/** Options of a {@link GradFn}. */
export interface GradFnOptions {
  /**
   * The rule keeps no reference to the gradient it is given nor to those it returns (it may return
   * that gradient or views of it), so once it ran the backward walk may reuse the memory of a
   * gradient it alone holds. Every op of this package declares it; a hand-written rule that stores
   * gradients (to log them, say) must not. Default false.
   */
  retainsNothing?: boolean;
}

/** The node that produced a Variable: its op name, inputs and local gradient rule. */
export class GradFn {
  private rule: BackwardRule | null;
  private edges: readonly Variable[];
  /** See {@link GradFnOptions.retainsNothing}. */
  readonly retainsNothing: boolean;

  constructor(
    /** Name of the op, for error messages and debugging. */
    readonly op: string,
    inputs: readonly Variable[],
    rule: BackwardRule,
    options: GradFnOptions = {},
  ) {
    this.rule = rule;
    this.edges = inputs;
    this.retainsNothing = options.retainsNothing ?? false;
  }

  /** The op's Variable inputs, in the order the rule returns gradients (empty once released). */
  get inputs(): readonly Variable[] {
    return this.edges;
  }

  /** True once a backward pass has released the tensors the rule keeps alive. */
  get freed(): boolean {
    return this.rule === null;
  }

  /** Applies the rule, checking every gradient's shape against its input. */
  apply(grad: Tensor): readonly (Tensor | null)[] {
    return this.applyRule(grad).map((g) => (g instanceof RegionGrad ? g.materialize() : g));
  }

  /**
   * {@link GradFn.apply} that leaves slab gradients ({@link RegionGrad}) unmaterialised, so the
   * backward walk can sum the parts of a split into one buffer. @internal
   */
  applyRule(grad: Tensor): readonly (Tensor | RegionGrad | null)[] {
    if (!this.rule) {
      throw new Error(
        `backward: the graph through '${this.op}' was already freed by an earlier backward(); pass { retainGraph: true } to the first backward() to backpropagate twice`,
      );
    }
    const grads = this.rule(grad);
    for (let i = 0; i < grads.length; i++) {
      const g = grads[i];
      const input = this.edges[i]!.data;
      if (g && (g.shape.length !== input.ndim || g.shape.some((d, j) => d !== input.shape[j]))) {
        throw new Error(
          `backward of '${this.op}': gradient [${g.shape.join(', ')}] does not match input ${i} ${fmtShapeOf(input)}`,
        );
      }
    }
    return grads;
  }

  /**
   * Drops the rule, everything it captured, and the edges to the inputs, so a kept output (a logged
   * loss) does not keep the activations of its graph alive.
   */
  release(): void {
    this.rule = null;
    this.edges = [];
  }
}

/**
 * Wraps an op's result: when grad mode is on and some input requires grad, the result remembers
 * `inputs` and `rule` for backward; otherwise it is a constant.
 */
export function record(
  op: string,
  output: Tensor,
  inputs: readonly Variable[],
  rule: BackwardRule,
): Variable {
  if (!isGradEnabled() || !inputs.some((v) => v.requiresGrad)) return new Variable(output);
  return Variable.fromOp(output, new GradFn(op, inputs, rule, { retainsNothing: true }));
}

/** Every Variable reachable from `root` through grad-requiring edges, inputs before outputs (no recursion). */
function topologicalOrder(root: Variable): Variable[] {
  const order: Variable[] = [];
  const visited = new Set<Variable>([root]);
  const stack: [Variable, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, next] = top;
    const inputs = node.gradFn?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const input = inputs[next]!;
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push([input, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

/**
 * Backpropagates `grad` (d(loss)/d(root)) through the graph in one reverse topological walk,
 * accumulating into `.grad` of leaf Variables that require grad, and freeing each node's saved
 * tensors as soon as it is done unless `retainGraph`.
 *
 * Gradients that only this walk holds are handed back for reuse once consumed, so the next
 * gradient of the same size takes their memory instead of fresh memory, and a leaf's first
 * gradient is taken over instead of copied (see {@link WalkOwnership}).
 */
export function runBackward(root: Variable, grad: Tensor, retainGraph: boolean): void {
  const order = topologicalOrder(root);
  const pending = new Map<Variable, Tensor | PendingGrad>([[root, grad]]);
  const own = new WalkOwnership(pending);
  try {
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i]!;
      const entry = pending.get(node);
      pending.delete(node);
      if (!entry) continue;
      const g = entry instanceof Tensor ? entry : entry.materialize();
      if (entry instanceof PendingGrad) for (const part of entry.tensors()) own.release(part, [g]);
      const fn = node.gradFn;
      if (!fn) {
        if (node.accumulateGrad(g, own.exclusive(g, []))) own.keep(g);
        else own.release(g, []);
        continue;
      }
      const grads = fn.applyRule(g);
      const inputs = fn.inputs;
      for (let k = 0; k < inputs.length; k++) {
        const gi = grads[k];
        const input = inputs[k]!;
        if (!gi || !input.requiresGrad) continue;
        if (!fn.retainsNothing) own.keep(gi instanceof RegionGrad ? gi.grad : gi);
        const previous = pending.get(input);
        if (gi instanceof RegionGrad) pending.set(input, PendingGrad.add(previous, gi));
        else if (previous instanceof PendingGrad) previous.addDense(gi);
        else if (previous) {
          pending.set(input, previous.add(gi));
          own.release(previous, grads);
          own.release(
            gi,
            grads.filter((_, j) => j !== k),
          );
        } else pending.set(input, gi);
      }
      if (!retainGraph) fn.release();
      if (fn.retainsNothing) own.release(g, grads);
    }
  } finally {
    own.end();
  }
}

/**
 * What a backward walk may do with the gradients it holds. A gradient's storage is the walk's alone
 * when it was allocated during the walk (so it is no saved activation, no caller's seed and no
 * constant), no rule that may keep tensors returned it, it covers its whole storage (no other view
 * into it was made by an op), and neither a gradient still pending nor one the current rule
 * returned lives in it (`add` passes its gradient on as is, `reshape` a view of it). Such a storage
 * can be reused once consumed, or handed to a leaf as its `.grad` without a copy. In a small GPT's
 * step that reuses about 59 arrays and skips the copy of every parameter's gradient. Only host
 * memory is tracked (an allocation scope records the typed arrays ops allocate); a device backend
 * pools its own buffers, so gradients in a device's memory are never reused here.
 */
class WalkOwnership {
  private readonly scope: AllocationScope = beginAllocationScope();
  /** Storages that must outlive the walk: kept by a rule that may keep tensors, or a leaf's `.grad`. */
  private readonly kept = new Set<Storage>();

  constructor(private readonly pending: ReadonlyMap<Variable, Tensor | PendingGrad>) {}

  /** Whether `t`'s storage is the walk's alone, apart from the gradients in `live`. */
  exclusive(t: Tensor, live: readonly (Tensor | RegionGrad | null)[]): boolean {
    const storage = t.buffer;
    if (isDeviceStorage(storage) || !this.scope.allocatedHere(storage)) return false;
    if (this.kept.has(storage) || storage.length !== t.size) return false;
    for (const other of live) {
      if (other && (other instanceof RegionGrad ? other.grad : other).buffer === storage) return false;
    }
    for (const other of this.pending.values()) {
      if (other instanceof Tensor ? other.buffer === storage : other.references(storage)) return false;
    }
    return true;
  }

  /** Never reuse `t`'s storage. */
  keep(t: Tensor): void {
    this.kept.add(t.buffer);
  }

  /** Hands `t`'s storage back for reuse if the walk alone holds it (`t` itself is done with). */
  release(t: Tensor, live: readonly (Tensor | RegionGrad | null)[]): void {
    if (this.exclusive(t, live)) this.scope.release(t.buffer as ArrayBufferView);
  }

  /** Stops tracking allocations. */
  end(): void {
    this.scope.end();
  }
}
