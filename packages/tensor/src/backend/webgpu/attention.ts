import type { AttentionArgs } from '../backend.js';
import type { DeviceMemory } from '../memory.js';
import { attentionParams, concatOffsets, operandBindings } from './attention-args.js';
import { attentionBackward } from './attention-backward.js';
import {
  ATTENTION_MEMORY_WGSL,
  accumulateWGSL,
  BLOCK,
  blockDotWGSL,
  CHUNK,
  keyEndWGSL,
  loadChunkWGSL,
  operand,
  QUERY_BLOCK_MAIN_WGSL,
  scoreWGSL,
  storeWeightWGSL,
} from './attention-wgsl.js';
import type { GPUKernels } from './kernels.js';
import { floatStorage, launch, unrolled } from './matmul-wgsl.js';
import type { WebGPURuntime } from './runtime.js';

/**
 * Fused attention forward, flash-attention style: a workgroup per (batch entry, block of 32
 * queries, 64 output columns) streams the keys 32 at a time, keeping each query's running maximum
 * and sum (the online softmax) and rescaling its output accumulator as the maximum grows. With
 * `causal`, key blocks no query of the block can see are skipped.
 *
 * As the reference: scores holding NaN or +∞ make the row's output and log-sum-exp NaN; a row
 * that sees no key (causal with L > S, or a mask of −∞) is NaN with lse −∞. Keys of weight 0 are
 * skipped, so a non-finite value in a key or value row that a query does not see stays out of its
 * output (the reference multiplies it by 0, which gives NaN).
 */

/** WGSL of the forward; `masked` binds the mask, `causal` hides keys past each query's last visible one. */
function forwardWGSL(masked: boolean, causal: boolean): string {
  const q = operand('q', 'qOff', 'i0', 'p.L', 'p.E');
  const k = operand('k', 'kOff', 'k0', 'p.S', 'p.E');
  const v = operand('v', 'vOff', 'k0', 'p.S', 'p.Ev');
  return `
${ATTENTION_MEMORY_WGSL}
var<workgroup> partMax: array<f32, 256>;
var<workgroup> partSum: array<f32, 256>;
var<workgroup> rowMax: array<f32, ${BLOCK}>;
var<workgroup> rowSum: array<f32, ${BLOCK}>;

${QUERY_BLOCK_MAIN_WGSL}
  let qOff = offsets[b];
  let kOff = offsets[p.batch + g];
  let vOff = offsets[p.batch + p.kvBatch + g];
  if (lidx < ${BLOCK}u) { rowMax[lidx] = negInf(); rowSum[lidx] = 0.0; }
${unrolled(8, (j) => `  var o${j} = 0.0;`)}
  let keyEnd = ${keyEndWGSL(causal)};
  for (var k0 = 0u; k0 < keyEnd; k0 += ${BLOCK}u) {
${unrolled(4, (j) => `    var s${j} = 0.0;`)}
${blockDotWGSL('s', q, k)}
${unrolled(4, (j) => scoreWGSL(j, masked, causal))}
    partMax[lidx] = max(max(x0, x1), max(x2, x3));
    workgroupBarrier();
    var blockMax = negInf();
    for (var t = 0u; t < 8u; t++) { blockMax = max(blockMax, partMax[r * 8u + t]); }
    let oldMax = rowMax[r];
    let newMax = max(oldMax, blockMax);
    let origin = select(newMax, 0.0, newMax == negInf());
    let alpha = exp(oldMax - origin);
${unrolled(4, (j) => `    let p${j} = exp(x${j} - origin);\n${storeWeightWGSL(j, `p${j}`)}`)}
    partSum[lidx] = (p0 + p1) + (p2 + p3);
${unrolled(8, (j) => `    o${j} *= alpha;`)}
${loadChunkWGSL(v)}
    workgroupBarrier();
    if (lane == 0u) {
      var blockSum = 0.0;
      for (var t = 0u; t < 8u; t++) { blockSum += partSum[r * 8u + t]; }
      rowSum[r] = rowSum[r] * alpha + blockSum;
      rowMax[r] = newMax;
    }
${accumulateWGSL('o', false)}
  }
  workgroupBarrier();
  if (i >= p.L) { return; }
  let top = rowMax[r];
  let sum = rowSum[r];
  let lseRow = select(top, 0.0, top == negInf()) + log(sum);
  let row = b * p.L + i;
${unrolled(
  8,
  (j) => `  if (c0 + lane + ${8 * j}u < p.Ev) {
    out[row * p.Ev + c0 + lane + ${8 * j}u] = select(o${j} / sum, 0.0, p.S == 0u);
  }`,
)}
  if (c0 == 0u && lane == 0u) { lse[row] = lseRow; }
}`;
}

/** Fused scaled dot-product attention forward; see {@link AttentionArgs}. */
function attention(rt: WebGPURuntime, a: AttentionArgs<DeviceMemory>): void {
  const { batch, groups, L, Ev, causal } = a;
  if (batch === 0 || L === 0) return;
  const chunks = Math.max(1, Math.ceil(Ev / CHUNK)); // at least one, which writes lse
  const qBlocks = Math.ceil(L / BLOCK);
  const views = { q: a.q, k: a.k, v: a.v };
  const offsets = concatOffsets([a.q, a.k, a.v], [batch, batch / groups, batch / groups]);
  launch(rt, {
    kernel: 'attention',
    bindings: [
      ...operandBindings('attention', views, a.mask),
      { name: 'offsets', storage: rt.upload(offsets), type: 'u32' },
      { name: 'out', storage: floatStorage(a.out, 'attention', 'out'), type: 'f32', write: true },
      { name: 'lse', storage: floatStorage(a.lse, 'attention', 'lse'), type: 'f32', write: true },
    ],
    params: attentionParams(a, { qBlocks: ['u32', qBlocks], chunks: ['u32', chunks] }, views),
    body: forwardWGSL(a.mask !== null, causal),
    workgroups: rt.grid(batch * qBlocks * chunks, 1),
  });
}

/** Fused attention kernels, forward and backward, in WGSL. */
export function attentionKernels(rt: WebGPURuntime): Pick<GPUKernels, 'attention' | 'attentionBackward'> {
  return {
    attention: (args) => attention(rt, args),
    attentionBackward: (args) => attentionBackward(rt, args),
  };
}
