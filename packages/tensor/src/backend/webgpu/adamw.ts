import type { GPUKernels } from './kernels.js';
import { bindArg, perElementMainWGSL, runShader, WORKGROUP } from './rows-wgsl.js';
import type { WebGPURuntime } from './runtime.js';

/**
 * The AdamW step in WGSL, one thread per parameter, in place on `param`, `m` and `v`. The step's
 * scalars (decay factor, step size, bias corrections) are worked out on the host in double precision,
 * and each element follows the reference's formula in its order:
 * `p·(1 − lr·wd) − (lr/bc1)·m / (sqrt(v)/sqrt(bc2) + eps)`.
 */
export function adamwKernels(rt: WebGPURuntime): Pick<GPUKernels, 'adamw'> {
  return {
    adamw(args) {
      const { lr, beta1, beta2, step } = args;
      const count = args.param.length;
      const buffers = [
        bindArg('adamw', 'param', args.param, 'float32', count, true),
        bindArg('adamw', 'grad', args.grad, 'float32', count),
        bindArg('adamw', 'm', args.m, 'float32', count, true),
        bindArg('adamw', 'v', args.v, 'float32', count, true),
      ];
      if (count === 0) return;
      runShader(rt, {
        buffers,
        params: {
          count: ['u32', count],
          beta1: ['f32', beta1],
          oneMinusBeta1: ['f32', 1 - beta1],
          beta2: ['f32', beta2],
          oneMinusBeta2: ['f32', 1 - beta2],
          eps: ['f32', args.eps],
          decay: ['f32', 1 - lr * args.weightDecay],
          stepSize: ['f32', lr / (1 - beta1 ** step)],
          bc2Sqrt: ['f32', Math.sqrt(1 - beta2 ** step)],
        },
        body: perElementMainWGSL(
          'count',
          `  let g = grad[i];
  let mi = params.beta1 * m[i] + params.oneMinusBeta1 * g;
  let vi = params.beta2 * v[i] + params.oneMinusBeta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] = param[i] * params.decay - (params.stepSize * mi) / (sqrt(vi) / params.bc2Sqrt + params.eps);`,
        ),
        workgroups: rt.grid(count, WORKGROUP),
      });
    },
  };
}
