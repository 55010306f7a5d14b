import { isGradEnabled } from './grad-mode.js';
import { fmtShapeOf, type Tensor } from './tensor-utils.js';
import { Variable } from './variable.js';

/** A local gradient rule: given d(loss)/d(output), returns d(loss)/d(input) for each input (null: none). */
export type BackwardRule = (grad: Tensor) => readonly (Tensor | null)[];

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
    if (!this.rule) {
      throw new Error(
        `backward: the graph through '${this.op}' was already freed by an earlier backward(); pass { retainGraph: true } to the first backward() to backpropagate twice`,
      );
    }
    const grads = this.rule(grad);
    grads.forEach((g, i) => {
      const input = this.inputs[i]!;
      if (g && (g.ndim !== input.data.ndim || g.shape.some((d, j) => d !== input.data.shape[j]))) {
        throw new Error(
          `backward of '${this.op}': gradient ${fmtShapeOf(g)} does not match input ${i} ${fmtShapeOf(input.data)}`,
        );
      }
    });
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
  const pending = new Map<Variable, Tensor>([[root, grad]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const g = pending.get(node);
    pending.delete(node);
    if (!g) continue;
    const fn = node.gradFn;
    if (!fn) {
      node.accumulateGrad(g);
      continue;
    }
    const grads = fn.apply(g);
    fn.inputs.forEach((input, k) => {
      const gi = grads[k];
      if (!gi || !input.requiresGrad) return;
      const previous = pending.get(input);
      pending.set(input, previous ? previous.add(gi) : gi);
    });
    if (!retainGraph) fn.release();
  }
}
