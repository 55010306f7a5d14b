import type { Variable } from '@proj/autograd';
import type { Tensor } from '@proj/tensor';
import { Optimizer, type ParamGroup, type ParamGroupInput, type Slot, updateDType } from './optimizer.js';

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

  protected update(group: ParamGroup<SGDOptions>, w: Tensor, grad: Tensor, slot: Slot): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    const buf = slot.buffers.momentumBuffer;
    const first = slot.step === 0;
    slot.step++;
    // Op by op in float64 on the CPU (rounded once when written back), in the parameter's dtype on a device.
    const dtype = updateDType(w);
    const wc = w.to(dtype);
    let g = grad.to(dtype).reshape(w.shape);
    if (maximize) g = g.neg();
    if (weightDecay !== 0) g = g.add(wc.mul(weightDecay));
    if (!buf) {
      w.assign(wc.sub(g.mul(lr)));
      return;
    }
    buf.assign(
      first
        ? g
        : buf
            .to(dtype)
            .mul(momentum)
            .add(g.mul(1 - dampening)),
    );
    const b = buf.to(dtype);
    w.assign(wc.sub((nesterov ? g.add(b.mul(momentum)) : b).mul(lr)));
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
