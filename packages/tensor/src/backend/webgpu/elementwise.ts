import { ShapeError } from '../../errors.js';
import { binaryExpr, convert, SCALAR_OF, unaryExpr, whereExpr } from './elementwise-ops.js';
import { gpuView, runMap, wholeView } from './elementwise-strided.js';
import { gpuStorage } from './gpu-storage.js';
import type { GPUKernels } from './kernels.js';
import { reduceKernel } from './reduce.js';
import type { WebGPURuntime } from './runtime.js';

/**
 * Elementwise, copy, where and reduction kernels in WGSL. Each computes what the JS reference
 * kernel computes (backend/js/elementwise.ts, backend/js/reduce.ts): the same formulas, NaN and
 * infinity rules, dtype conversions, and strided / broadcast / empty shapes. Shaders are generated
 * per op, dtypes and rank (pipelines are cached by source text).
 */
export function elementwiseKernels(
  rt: WebGPURuntime,
): Pick<GPUKernels, 'unary' | 'binary' | 'copy' | 'where' | 'reduce'> {
  return {
    unary(op, x, out) {
      const kernel = `unary ${op}`;
      const [input, output] = [gpuStorage(x, kernel), gpuStorage(out, kernel)];
      if (input.length !== output.length)
        throw new ShapeError(`webgpu ${kernel}: x has ${input.length} elements but out has ${output.length}`);
      runMap(rt, kernel, [wholeView('x', input)], output, [input.length], ([v]) =>
        unaryExpr(op, v!, SCALAR_OF[output.dtype]),
      );
    },
    binary(op, a, b, out, shape) {
      const kernel = `binary ${op}`;
      const output = gpuStorage(out, kernel);
      const views = [gpuView(kernel, 'a', a), gpuView(kernel, 'b', b)];
      runMap(rt, kernel, views, output, shape, ([va, vb]) =>
        binaryExpr(op, va!, vb!, SCALAR_OF[output.dtype]),
      );
    },
    copy(src, out, shape) {
      const output = gpuStorage(out, 'copy');
      runMap(rt, 'copy', [gpuView('copy', 'src', src)], output, shape, ([v]) =>
        convert(v!, SCALAR_OF[output.dtype]),
      );
    },
    where(cond, a, b, out, shape) {
      const output = gpuStorage(out, 'where');
      const views = [gpuView('where', 'cond', cond), gpuView('where', 'a', a), gpuView('where', 'b', b)];
      runMap(rt, 'where', views, output, shape, ([c, va, vb]) =>
        whereExpr(c!, va!, vb!, SCALAR_OF[output.dtype]),
      );
    },
    reduce: reduceKernel(rt),
  };
}
