import { Tensor } from '@proj/tensor';
import { isGradEnabled } from './grad-mode.js';
import { PendingGrad, RegionGrad } from './region-grad.js';
import { fmtShapeOf } from './tensor-utils.js';
import { Variable } from './variable.js';

/**
 * A local gradient rule: given d(loss)/d(output), returns d(loss)/d(input) for each input (null:
 * none); a {@link RegionGrad} stands for zeros outside one slab (the views that pick a part).
 */
export type BackwardRule = (grad: Tensor) => readonly (Tensor | RegionGrad | null)[];

/** The node that produced a Variable: its op name, inputs and local gradient rule. */
export class GradFn {
  private rule: BackwardRule | null;
  private edges: readonly Variable[];

  constructor(
    /** Name of the op, for error messages and debugging. */
    readonly op: string,
    inputs: readonly Variable[],
    rule: BackwardRule,
  ) {
    this.rule = rule;
    this.edges = inputs;
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
  return Variable.fromOp(output, new GradFn(op, inputs, rule));
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
 */
export function runBackward(root: Variable, grad: Tensor, retainGraph: boolean): void {
  const order = topologicalOrder(root);
  const pending = new Map<Variable, Tensor | PendingGrad>([[root, grad]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const entry = pending.get(node);
    pending.delete(node);
    if (!entry) continue;
    const g = entry instanceof Tensor ? entry : entry.materialize();
    const fn = node.gradFn;
    if (!fn) {
      node.accumulateGrad(g);
      continue;
    }
    const grads = fn.applyRule(g);
    const inputs = fn.inputs;
    for (let k = 0; k < inputs.length; k++) {
      const gi = grads[k];
      const input = inputs[k]!;
      if (!gi || !input.requiresGrad) continue;
      const previous = pending.get(input);
      if (gi instanceof RegionGrad) pending.set(input, PendingGrad.add(previous, gi));
      else if (previous instanceof PendingGrad) previous.addDense(gi);
      else pending.set(input, previous ? previous.add(gi) : gi);
    }
    if (!retainGraph) fn.release();
  }
}
