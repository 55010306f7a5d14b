import type { CrossEntropyArgs, CrossEntropyBackwardArgs } from '../backend.js';
import type { DeviceMemory } from '../memory.js';
import type { GPUKernels } from './kernels.js';
import {
  bindArg,
  perElementMainWGSL,
  perRowMainWGSL,
  runShader,
  SPECIAL_FLOATS_WGSL,
  WORKGROUP,
  workgroupReduceWGSL,
} from './rows-wgsl.js';
import type { Uniform, WebGPURuntime } from './runtime.js';

/** WGSL: whether target `t` is neither ignored nor a class (the row's outputs are then NaN). */
const BAD_TARGET_WGSL = `fn badTarget(t: i32) -> bool {
  return t != params.ignoreIndex && (t < 0 || t >= i32(params.classes));
}`;

/** The uniforms `badTarget` reads, and `keep = 1 − labelSmoothing`, the weight of the target's term. */
function targetParams(args: CrossEntropyArgs<DeviceMemory> | CrossEntropyBackwardArgs<DeviceMemory>) {
  return {
    classes: ['u32', args.classes],
    ignoreIndex: ['i32', args.ignoreIndex],
    keep: ['f32', 1 - args.labelSmoothing],
  } satisfies Record<string, Uniform>;
}

/**
 * Fused cross-entropy in WGSL. The forward gives each row a workgroup: the row's largest logit,
 * then `Σ exp(x − max)` and `Σ x`, reduced in workgroup memory. The backward is one thread per logit.
 *
 * A shader cannot throw, so a target that is neither `ignoreIndex` nor in `[0, classes)` makes its
 * row's `losses` and `lse` NaN in the forward and its `dlogits` row NaN in the backward, where the JS
 * reference throws a RangeError (ops check targets on the host before they upload them).
 */
export function lossKernels(rt: WebGPURuntime): Pick<GPUKernels, 'crossEntropy' | 'crossEntropyBackward'> {
  return {
    crossEntropy: (args) => crossEntropy(rt, args),
    crossEntropyBackward: (args) => crossEntropyBackward(rt, args),
  };
}

function crossEntropy(rt: WebGPURuntime, args: CrossEntropyArgs<DeviceMemory>): void {
  const { rows, classes, labelSmoothing: s } = args;
  const k = 'crossEntropy';
  const buffers = [
    bindArg(k, 'logits', args.logits, 'float32', rows * classes),
    bindArg(k, 'targets', args.targets, 'int32', rows),
    bindArg(k, 'losses', args.losses, 'float32', rows, true),
    bindArg(k, 'lse', args.lse, 'float32', rows, true),
  ];
  if (rows === 0) return;
  // The reference's peak ignores NaN (`x > peak`) and is 0 for a row without a number above −∞.
  const body = `${SPECIAL_FLOATS_WGSL}
${BAD_TARGET_WGSL}
${workgroupReduceWGSL('rowMax', 'f32', (a, b) => `select(${a}, ${b}, ${b} > ${a})`)}
${workgroupReduceWGSL('rowSums', 'vec2f', (a, b) => `${a} + ${b}`)}
${perRowMainWGSL(`  let classes = params.classes;
  let base = row * classes;
  var largest = -infinity();
  for (var j = lid; j < classes; j += ${WORKGROUP}u) {
    let v = logits[base + j];
    largest = select(largest, v, v > largest);
  }
  var peak = rowMax(largest, lid);
  if (peak == -infinity()) { peak = 0.0; }
  var partial = vec2f(0.0); // (Σ exp(x − peak), Σ x) of this thread's classes
  for (var j = lid; j < classes; j += ${WORKGROUP}u) {
    let v = logits[base + j];
    partial += vec2f(exp(v - peak), v);
  }
  let sums = rowSums(partial, lid);
  if (lid != 0u) { return; }
  let t = targets[row];
  if (badTarget(t)) {
    lse[row] = nan();
    losses[row] = nan();
    return;
  }
  let logZ = select(peak + log(sums.x), -infinity(), sums.x == 0.0);
  lse[row] = logZ;
  if (t == params.ignoreIndex) {
    losses[row] = 0.0;
  } else {
    losses[row] = params.keep * (logZ - logits[base + u32(t)]) + params.smoothing * (logZ - sums.y / f32(classes));
  }`)}`;
  runShader(rt, {
    buffers,
    params: { rows: ['u32', rows], ...targetParams(args), smoothing: ['f32', s] },
    body,
    workgroups: rt.grid(rows, 1),
  });
}

function crossEntropyBackward(rt: WebGPURuntime, args: CrossEntropyBackwardArgs<DeviceMemory>): void {
  const { rows, classes, labelSmoothing: s, scale } = args;
  const count = rows * classes;
  const k = 'crossEntropyBackward';
  const buffers = [
    bindArg(k, 'logits', args.logits, 'float32', count),
    bindArg(k, 'targets', args.targets, 'int32', rows),
    bindArg(k, 'lse', args.lse, 'float32', rows),
    bindArg(k, 'dlogits', args.dlogits, 'float32', count, true),
  ];
  if (typeof scale !== 'number') buffers.push(bindArg(k, 'scale', scale, 'float32', rows));
  if (count === 0) return;
  const body = `${SPECIAL_FLOATS_WGSL}
${BAD_TARGET_WGSL}
${perElementMainWGSL(
  'count',
  `  let row = i / params.classes;
  let t = targets[row];
  if (t == params.ignoreIndex) {
    dlogits[i] = 0.0;
    return;
  }
  if (badTarget(t)) {
    dlogits[i] = nan();
    return;
  }
  var d = exp(logits[i] - lse[row]) - params.smoothShare;
  if (i - row * params.classes == u32(t)) { d -= params.keep; }
  dlogits[i] = ${typeof scale === 'number' ? 'params.scale' : 'scale[row]'} * d;`,
)}`;
  runShader(rt, {
    buffers,
    params: {
      count: ['u32', count],
      ...targetParams(args),
      smoothShare: ['f32', s / classes],
      scale: ['f32', typeof scale === 'number' ? scale : 0],
    },
    body,
    workgroups: rt.grid(count, WORKGROUP),
  });
}
