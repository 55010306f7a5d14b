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
      const [input, output] = [gpuStorage(x, 'unary'), gpuStorage(out, 'unary')];
      if (input.length !== output.length)
        throw new ShapeError(
          `webgpu unary ${op}: x has ${input.length} elements but out has ${output.length}`,
        );
      runMap(rt, `unary ${op}`, [wholeView(input)], ['x'], output, [input.length], ([v]) =>
        unaryExpr(op, v!, SCALAR_OF[output.dtype]),
      );
    },
    binary(op, a, b, out, shape) {
      const output = gpuStorage(out, 'binary');
      const views = [gpuView(a, 'binary'), gpuView(b, 'binary')];
      runMap(rt, `binary ${op}`, views, ['a', 'b'], output, shape, ([va, vb]) =>
        binaryExpr(op, va!, vb!, SCALAR_OF[output.dtype]),
      );
    },
    copy(src, out, shape) {
      const output = gpuStorage(out, 'copy');
      runMap(rt, 'copy', [gpuView(src, 'copy')], ['src'], output, shape, ([v]) =>
        convert(v!, SCALAR_OF[output.dtype]),
      );
    },
    where(cond, a, b, out, shape) {
      const output = gpuStorage(out, 'where');
      const views = [gpuView(cond, 'where'), gpuView(a, 'where'), gpuView(b, 'where')];
      runMap(rt, 'where', views, ['cond', 'a', 'b'], output, shape, ([c, va, vb]) =>
        whereExpr(c!, va!, vb!, SCALAR_OF[output.dtype]),
      );
    },
    reduce: reduceKernel(rt),
  };
}
