import type { Variable } from '@proj/autograd';
import type { FloatArray } from '@proj/tensor';
import { Optimizer, type ParamGroup, type ParamGroupInput, type Slot } from './optimizer.js';

/** Options of {@link SGD} (PyTorch's names, camel-cased). */
export interface SGDOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Momentum factor (default 0: plain gradient descent). */
  momentum: number;
  /** Dampening of the momentum's gradient term (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay, exactly as `torch.optim.SGD`: `g ← ∇ + λθ`; `b ← μb + (1−τ)g` (b = g on the first step);
 * `g ← g + μb` (Nesterov) or `g ← b`; `θ ← θ − lr·g`. Updates parameters in place.
 *
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * loss.backward(); opt.step(); opt.zeroGrad();
 */
export class SGD extends Optimizer<SGDOptions> {
  /**
   * @param params parameters or parameter groups (`{ params, lr?, momentum?, … }`).
   * @throws RangeError for a negative lr, momentum, dampening or weight decay, or Nesterov without momentum.
   */
  constructor(
    params: Iterable<Variable> | Iterable<ParamGroupInput<SGDOptions>>,
    options: Partial<SGDOptions> = {},
  ) {
    super(
      'SGD',
      params,
      {
        lr: 1e-3,
        momentum: 0,
        dampening: 0,
        weightDecay: 0,
        nesterov: false,
        maximize: false,
        ...definedOnly(options),
      },
      (group) => (group.momentum !== 0 ? ['momentumBuffer'] : []),
    );
  }

  protected validate(g: ParamGroup<SGDOptions>): void {
    checkNonNegative('SGD', {
      lr: g.lr,
      momentum: g.momentum,
      dampening: g.dampening,
      weightDecay: g.weightDecay,
    });
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0))
      throw new RangeError('SGD: Nesterov momentum requires a momentum and zero dampening');
  }

  protected update(group: ParamGroup<SGDOptions>, w: FloatArray, grad: FloatArray, slot: Slot): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    const buf = slot.buffers.momentumBuffer;
    const first = slot.step === 0;
    slot.step++;
    const n = w.length;
    if (!buf) {
      for (let i = 0; i < n; i++) {
        const g = (maximize ? -grad[i]! : grad[i]!) + weightDecay * w[i]!;
        w[i] = w[i]! - lr * g;
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      const g = (maximize ? -grad[i]! : grad[i]!) + weightDecay * w[i]!;
      buf[i] = first ? g : momentum * buf[i]! + (1 - dampening) * g;
      const b = buf[i]!;
      w[i] = w[i]! - lr * (nesterov ? g + momentum * b : b);
    }
  }
}

/** @internal Throws a RangeError naming the first negative (or non-finite) option. */
export function checkNonNegative(op: string, values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!(value >= 0) || !Number.isFinite(value))
      throw new RangeError(`${op}: invalid ${name} ${value}, expected >= 0`);
  }
}

/** @internal `options` without the keys whose value is `undefined`. */
export function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T;
}
