import type { NormArgs, NormBackwardArgs } from '../backend.js';
import type { DeviceMemory } from '../memory.js';
import type { GPUKernels } from './kernels.js';
import { normColumnSums } from './norm-columns.js';
import { bindArg, perRowMainWGSL, present, runShader, WORKGROUP, workgroupReduceWGSL } from './rows-wgsl.js';
import type { WebGPURuntime } from './runtime.js';

/** `for` header of a thread's share of row `row`'s columns: `j = lid, lid + WORKGROUP, …`. */
const EACH_COLUMN = `for (var j = lid; j < cols; j += ${WORKGROUP}u)`;

/**
 * Layer norm / RMS norm forward and backward in WGSL: a workgroup per row, its sums reduced in
 * workgroup memory; the backward's `dweight`/`dbias` column sums in a second pass over column
 * blocks (see {@link normColumnSums}). Statistics are float32 (the JS reference keeps them in
 * double precision within a row).
 */
export function normKernels(rt: WebGPURuntime): Pick<GPUKernels, 'layerNorm' | 'layerNormBackward'> {
  return {
    layerNorm: (args) => layerNorm(rt, args),
    layerNormBackward(args) {
      normBackwardRows(rt, args);
      if (args.dweight || args.dbias) normColumnSums(rt, args);
    },
  };
}

function layerNorm(rt: WebGPURuntime, args: NormArgs<DeviceMemory>): void {
  const { rows, cols, rms } = args;
  const k = 'layerNorm';
  const weight = args.weight && bindArg(k, 'weight', args.weight, 'float32', cols);
  const bias = rms ? null : args.bias && bindArg(k, 'bias', args.bias, 'float32', cols);
  const buffers = present(
    bindArg(k, 'x', args.x, 'float32', rows * cols),
    weight,
    bias,
    bindArg(k, 'out', args.out, 'float32', rows * cols, true),
    rms ? null : bindArg(k, 'mean', args.mean, 'float32', rows, true),
    bindArg(k, 'rstd', args.rstd, 'float32', rows, true),
  );
  if (rows === 0) return;
  // An empty row divides 0 by 0: mean and rstd NaN, as the reference.
  const mean = rms
    ? 'let mu = 0.0;'
    : `var total = 0.0;
  ${EACH_COLUMN} { total += x[base + j]; }
  let mu = rowSum(total, lid) / count;`;
  const body = `${workgroupReduceWGSL('rowSum', 'f32', (a, b) => `${a} + ${b}`)}
${perRowMainWGSL(`  let cols = params.cols;
  let base = row * cols;
  let count = f32(cols);
  ${mean}
  var squares = 0.0;
  ${EACH_COLUMN} { let d = x[base + j] - mu; squares += d * d; }
  let inv = 1.0 / sqrt(rowSum(squares, lid) / count + params.eps);
  if (lid == 0u) { ${rms ? '' : 'mean[row] = mu; '}rstd[row] = inv; }
  ${EACH_COLUMN} {
    out[base + j] = (x[base + j] - mu) * inv${weight ? ' * weight[j]' : ''}${bias ? ' + bias[j]' : ''};
  }`)}`;
  runShader(rt, {
    buffers,
    params: { rows: ['u32', rows], cols: ['u32', cols], eps: ['f32', args.eps] },
    body,
    workgroups: rt.grid(rows, 1),
  });
}

/** `dx` of the norm backward: `rstd·(g − mean(g) − x̂·mean(g·x̂))` with `g = dy·weight` (no `mean(g)` for RMS). */
function normBackwardRows(rt: WebGPURuntime, args: NormBackwardArgs<DeviceMemory>): void {
  const { rows, cols, rms } = args;
  const k = 'layerNormBackward';
  const weight = args.weight && bindArg(k, 'weight', args.weight, 'float32', cols);
  const buffers = present(
    bindArg(k, 'dy', args.dy, 'float32', rows * cols),
    bindArg(k, 'x', args.x, 'float32', rows * cols),
    weight,
    rms ? null : bindArg(k, 'mean', args.mean, 'float32', rows),
    bindArg(k, 'rstd', args.rstd, 'float32', rows),
    bindArg(k, 'dx', args.dx, 'float32', rows * cols, true),
  );
  if (rows === 0) return;
  const normalized = `let xhat = (x[base + j] - mu) * inv;
    let g = dy[base + j]${weight ? ' * weight[j]' : ''};`;
  const body = `${workgroupReduceWGSL('rowSums', 'vec2f', (a, b) => `${a} + ${b}`)}
${perRowMainWGSL(`  let cols = params.cols;
  let base = row * cols;
  let count = f32(cols);
  let mu = ${rms ? '0.0' : 'mean[row]'};
  let inv = rstd[row];
  var partial = vec2f(0.0); // (Σ g, Σ g·x̂) of this thread's columns
  ${EACH_COLUMN} {
    ${normalized}
    partial += vec2f(g, g * xhat);
  }
  let sums = rowSums(partial, lid);
  let meanG = ${rms ? '0.0' : 'sums.x / count'};
  let meanGX = sums.y / count;
  ${EACH_COLUMN} {
    ${normalized}
    dx[base + j] = inv * (g - meanG - xhat * meanGX);
  }`)}`;
  runShader(rt, {
    buffers,
    params: { rows: ['u32', rows], cols: ['u32', cols] },
    body,
    workgroups: rt.grid(rows, 1),
  });
}
