import type { DeviceStorage } from '../memory.js';
import type { GPUKernels } from './kernels.js';
import { floatStorage, type KernelBinding, launch, mainWGSL } from './matmul-wgsl.js';
import type { WebGPURuntime } from './runtime.js';

/**
 * Row softmax kernels: one workgroup per row, its threads striding over the columns and combining
 * their maxima and sums in workgroup memory. `softmax` is the attention softmax with scale 1 and no
 * causal mask; `attentionSoftmaxBackward` is the softmax backward scaled.
 *
 * Special values follow the reference through IEEE arithmetic: a row holding NaN or +∞ (after
 * scaling), or only −∞, is NaN on its visible entries (`exp(NaN)`, `exp(∞ − ∞)`); entries past a
 * causal row's last visible key are 0, and a causal row with no visible key is NaN throughout.
 */

/** Threads per row: a power of two from 32 to 256, no more than the row needs. */
function workgroupSize(cols: number): number {
  return Math.min(256, Math.max(32, 2 ** Math.ceil(Math.log2(Math.max(1, cols)))));
}

/** WGSL reducing one value per thread to the row's max or sum, returned to every thread (uniform). */
function rowReduceWGSL(size: number): string {
  const reduce = (name: string, combine: string) => `
fn ${name}(value: f32, lidx: u32) -> f32 {
  workgroupBarrier();
  partials[lidx] = value;
  for (var half = ${size / 2}u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lidx < half) { partials[lidx] = ${combine}; }
  }
  return workgroupUniformLoad(&partials[0]);
}`;
  return `
var<workgroup> partials: array<f32, ${size}>;
${reduce('rowMax', 'max(partials[lidx], partials[lidx + half])')}
${reduce('rowSum', 'partials[lidx] + partials[lidx + half]')}`;
}

/** WGSL opening the entry point of a kernel with a workgroup per `row`, which starts at `base`. */
function rowMainWGSL(size: number): string {
  return `${mainWGSL(size)}
  let row = w;
  if (row >= p.rows) { return; }
  let base = row * p.cols;`;
}

/** The WGSL of the forward: `log` for log-softmax, `causal` for the bottom-right causal mask. */
function softmaxWGSL(size: number, log: boolean, causal: boolean): string {
  return `
${rowReduceWGSL(size)}
${rowMainWGSL(size)}
  let visible = ${causal ? 'u32(clamp(i32(row % p.L) + p.shift + 1, 0, i32(p.cols)))' : 'p.cols'};
  if (visible == 0u) {
    for (var j = lidx; j < p.cols; j += ${size}u) { out[base + j] = nan(); }
    return;
  }
  var top = negInf();
  for (var j = lidx; j < visible; j += ${size}u) { top = max(top, p.scale * x[base + j]); }
  top = rowMax(top, lidx);
  var sum = 0.0;
  for (var j = lidx; j < visible; j += ${size}u) { sum += exp(p.scale * x[base + j] - top); }
  sum = rowSum(sum, lidx);
${log ? '  let logSum = log(sum);' : ''}
  for (var j = lidx; j < p.cols; j += ${size}u) {
    var y = 0.0;
    if (j < visible) {
      let s = p.scale * x[base + j];
      y = ${log ? 's - top - logSum' : 'exp(s - top) / sum'};
    }
    out[base + j] = y;
  }
}`;
}

/**
 * The WGSL of the backward: softmax `dx = scale·y ⊙ (dy − Σ dy⊙y)`, log-softmax
 * `dx = dy − exp(y)·Σ dy`. With `inPlace`, `dx` is `dy`'s buffer, bound once.
 */
function softmaxBackwardWGSL(size: number, log: boolean, inPlace: boolean): string {
  const dx = inPlace ? 'dy' : 'dx';
  return `
${rowReduceWGSL(size)}
${rowMainWGSL(size)}
  var sum = 0.0;
  for (var j = lidx; j < p.cols; j += ${size}u) { sum += ${log ? 'dy[base + j]' : 'dy[base + j] * y[base + j]'}; }
  sum = rowSum(sum, lidx);
  for (var j = lidx; j < p.cols; j += ${size}u) {
    let g = dy[base + j];
    ${dx}[base + j] = ${log ? 'g - exp(y[base + j]) * sum' : 'p.scale * y[base + j] * (g - sum)'};
  }
}`;
}

/** A softmax call: `rows` rows of `cols` entries, scaled, as log-softmax or with a causal mask. */
interface SoftmaxCall {
  kernel: string;
  x: DeviceStorage;
  out: DeviceStorage;
  rows: number;
  cols: number;
  log: boolean;
  scale: number;
  /** Bottom-right causal mask over rows grouped `L` at a time; null for none. */
  causalL: number | null;
}

function runSoftmax(rt: WebGPURuntime, c: SoftmaxCall): void {
  if (c.rows === 0 || c.cols === 0) return;
  const L = c.causalL ?? 1;
  launch(rt, {
    kernel: c.kernel,
    bindings: [
      { name: 'x', storage: floatStorage(c.x, c.kernel, 'x'), type: 'f32' },
      { name: 'out', storage: floatStorage(c.out, c.kernel, 'out'), type: 'f32', write: true },
    ],
    params: {
      rows: ['u32', c.rows],
      cols: ['u32', c.cols],
      L: ['u32', L],
      shift: ['i32', c.cols - L],
      scale: ['f32', c.scale],
    },
    body: softmaxWGSL(workgroupSize(c.cols), c.log, c.causalL !== null),
    workgroups: rt.grid(c.rows, 1),
  });
}

/** A softmax backward call: `dx = scale·y ⊙ (dy − Σ dy⊙y)`, or the log-softmax one. */
interface SoftmaxBackwardCall {
  kernel: string;
  y: DeviceStorage;
  dy: DeviceStorage;
  /** May be `dy` itself. */
  dx: DeviceStorage;
  rows: number;
  cols: number;
  log: boolean;
  scale: number;
}

function runSoftmaxBackward(rt: WebGPURuntime, c: SoftmaxBackwardCall): void {
  if (c.rows === 0 || c.cols === 0) return;
  const dy = floatStorage(c.dy, c.kernel, 'dy');
  const dx = floatStorage(c.dx, c.kernel, 'dx');
  const inPlace = dy.buffer === dx.buffer;
  const bindings: KernelBinding[] = [
    { name: 'y', storage: floatStorage(c.y, c.kernel, 'y'), type: 'f32' },
    { name: 'dy', storage: dy, type: 'f32', write: inPlace },
  ];
  if (!inPlace) bindings.push({ name: 'dx', storage: dx, type: 'f32', write: true });
  launch(rt, {
    kernel: c.kernel,
    bindings,
    params: { rows: ['u32', c.rows], cols: ['u32', c.cols], scale: ['f32', c.scale] },
    body: softmaxBackwardWGSL(workgroupSize(c.cols), c.log, inPlace),
    workgroups: rt.grid(c.rows, 1),
  });
}

/** Softmax, log-softmax and attention-softmax kernels (forward and backward) in WGSL. */
export function softmaxKernels(
  rt: WebGPURuntime,
): Pick<GPUKernels, 'softmax' | 'softmaxBackward' | 'attentionSoftmax' | 'attentionSoftmaxBackward'> {
  return {
    softmax: (x, out, rows, cols, log) =>
      runSoftmax(rt, { kernel: 'softmax', x, out, rows, cols, log, scale: 1, causalL: null }),
    softmaxBackward: (y, dy, dx, rows, cols, log) =>
      runSoftmaxBackward(rt, { kernel: 'softmaxBackward', y, dy, dx, rows, cols, log, scale: 1 }),
    attentionSoftmax: ({ x, out, batch, L, S, scale, causal }) =>
      runSoftmax(rt, {
        kernel: 'attentionSoftmax',
        x,
        out,
        rows: batch * L,
        cols: S,
        log: false,
        scale,
        causalL: causal ? L : null,
      }),
    attentionSoftmaxBackward: (y, dy, dx, rows, cols, scale) =>
      runSoftmaxBackward(rt, {
        kernel: 'attentionSoftmaxBackward',
        y,
        dy,
        dx,
        rows,
        cols,
        log: false,
        scale,
      }),
  };
}
