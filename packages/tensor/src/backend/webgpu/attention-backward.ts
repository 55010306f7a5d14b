import type { AttentionBackwardArgs } from '../backend.js';
import type { DeviceMemory } from '../memory.js';
import { attentionParams, concatOffsets, operandBindings } from './attention-args.js';
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
import type { GPUStorage } from './gpu-storage.js';
import { floatStorage, type KernelBinding, launch, mainWGSL, unrolled } from './matmul-wgsl.js';
import type { WebGPURuntime } from './runtime.js';

/**
 * Fused attention backward in three dispatches, recomputing the weights `P = exp(x − lse)` from
 * the forward's log-sum-exp instead of storing them (flash-attention style):
 * 1. row statistics: `D[row] = Σ dout ⊙ out`, with `lse`, into the `rowData` buffer;
 * 2. `dq = scale·dS·K` with `dS = P ⊙ (dout·Vᵀ − D)`: a workgroup per (query head, 32 queries,
 *    64 columns of dq), streaming the keys;
 * 3. `dv = Pᵀ·dout`, `dk = scale·dSᵀ·Q`: a workgroup per (key/value head, 32 keys, 64 columns),
 *    streaming the queries of every query head of its group, so nothing is accumulated across
 *    workgroups (WGSL has no float atomics).
 * `rowData` holds, as 32-bit words, the batch offsets of q, k, v and dout, then `lse` and `D` per row:
 * one binding, which keeps the third dispatch within eight storage buffers.
 *
 * As the reference: weights of 0 contribute nothing; a query row whose lse is not finite (it saw no
 * key, or its scores were NaN) has weights NaN on every key, so its dq row and every dk, dv of its
 * key/value head are NaN.
 */

/** WGSL reading row `i` of batch entry `b`'s statistics (clamped to the last row past `L`). */
const ROW_STATS_WGSL = `
  let statsRow = b * p.L + min(i, p.L - 1u);
  let rowLse = bitcast<f32>(rowData[p.statsAt + statsRow]);
  let rowD = bitcast<f32>(rowData[p.statsAt + p.batch * p.L + statsRow]);`;

/**
 * WGSL of the block's weights `p0…3` and gradients of the scores `ds0…3` from the dot products
 * `s` (q·k) and `dp` (dout·v), as the reference: `p = exp(x − lse)`, `ds = scale·p·(dp − D)`, and
 * 0 for both where `p` is 0.
 */
function gradientsWGSL(masked: boolean, causal: boolean): string {
  const q = operand('q', 'qOff', 'i0', 'p.L', 'p.E');
  const k = operand('k', 'kOff', 'k0', 'p.S', 'p.E');
  const dout = operand('dout', 'doutOff', 'i0', 'p.L', 'p.Ev');
  const v = operand('v', 'vOff', 'k0', 'p.S', 'p.Ev');
  return `
${unrolled(4, (j) => `    var s${j} = 0.0;\n    var dp${j} = 0.0;`)}
${blockDotWGSL('s', q, k)}
${blockDotWGSL('dp', dout, v)}
${unrolled(4, (j) => scoreWGSL(j, masked, causal))}
${unrolled(
  4,
  (j) => `    let p${j} = exp(x${j} - rowLse);
    let ds${j} = select(p.scale * p${j} * (dp${j} - rowD), 0.0, p${j} == 0.0);`,
)}`;
}

/** WGSL reading the batch offsets of key/value head `g`. */
const KEY_OFFSETS_WGSL = `
  let kOff = rowData[p.batch + g];
  let vOff = rowData[p.batch + p.kvBatch + g];`;
/** WGSL reading the batch offsets of query head `b` (q and dout). */
const QUERY_OFFSETS_WGSL = `
  let qOff = rowData[b];
  let doutOff = rowData[p.batch + 2u * p.kvBatch + b];`;

/** WGSL of the first dispatch: 32 rows per workgroup, 8 threads summing each row's `dout ⊙ out`. */
const STATS_WGSL = `
var<workgroup> partial: array<f32, 256>;

${mainWGSL(256)}
  let row = w * 32u + lidx / 8u;
  let lane = lidx % 8u;
  var acc = 0.0;
  if (row < p.rows) {
    let base = rowData[p.doutAt + row / p.L] + row % p.L * p.doutRowStride;
    for (var c = lane; c < p.Ev; c += 8u) { acc += dout[base + c * p.doutColStride] * out[row * p.Ev + c]; }
  }
  partial[lidx] = acc;
  workgroupBarrier();
  if (lane == 0u && row < p.rows) {
    var d = 0.0;
    for (var t = 0u; t < 8u; t++) { d += partial[lidx + t]; }
    rowData[p.statsAt + row] = bitcast<u32>(lse[row]);
    rowData[p.statsAt + p.rows + row] = bitcast<u32>(d);
  }
}`;

/** WGSL of the second dispatch, `dq`; `masked` binds the mask, `causal` stops at the last visible key. */
function dqWGSL(masked: boolean, causal: boolean): string {
  return `
${ATTENTION_MEMORY_WGSL}

${QUERY_BLOCK_MAIN_WGSL}
${KEY_OFFSETS_WGSL}
${QUERY_OFFSETS_WGSL}
${ROW_STATS_WGSL}
${unrolled(8, (j) => `  var acc${j} = 0.0;`)}
  let keyEnd = ${keyEndWGSL(causal)};
  for (var k0 = 0u; k0 < keyEnd; k0 += ${BLOCK}u) {
${gradientsWGSL(masked, causal)}
${unrolled(4, (j) => storeWeightWGSL(j, `ds${j}`))}
    workgroupBarrier();
${loadChunkWGSL(operand('k', 'kOff', 'k0', 'p.S', 'p.E'))}
    workgroupBarrier();
${accumulateWGSL('acc', false)}
  }
  if (i >= p.L) { return; }
  let poisoned = !isFinite(rowLse) && p.S > 0u;
${unrolled(
  8,
  (j) => `  if (c0 + lane + ${8 * j}u < p.E) {
    dq[(b * p.L + i) * p.E + c0 + lane + ${8 * j}u] = select(acc${j}, nan(), poisoned);
  }`,
)}
}`;
}

/** WGSL of the third dispatch, `dk` and `dv`; with `causal` it starts at the first query that sees the block. */
function dkvWGSL(masked: boolean, causal: boolean): string {
  const write = (name: string, acc: string, cols: string) =>
    unrolled(
      8,
      (j) => `  if (c0 + lane + ${8 * j}u < ${cols}) {
    ${name}[(g * p.S + key) * ${cols} + c0 + lane + ${8 * j}u] = select(${acc}${j}, nan(), poisoned != 0u);
  }`,
    );
  return `
${ATTENTION_MEMORY_WGSL}
var<workgroup> poisonCount: atomic<u32>;
var<workgroup> poisonFlag: u32;

${mainWGSL(256)}
  if (w >= p.kvBatch * p.kBlocks * p.chunks) { return; }
  let c0 = w % p.chunks * ${CHUNK}u;
  let k0 = w / p.chunks % p.kBlocks * ${BLOCK}u;
  let g = w / (p.chunks * p.kBlocks);
${KEY_OFFSETS_WGSL}
  let r = lidx / 8u;
  let lane = lidx % 8u;
  // a query row of the group with a non-finite lse makes every gradient of the group NaN
  for (var t = lidx; t < p.groups * p.L; t += 256u) {
    if (!isFinite(bitcast<f32>(rowData[p.statsAt + g * p.groups * p.L + t]))) { atomicOr(&poisonCount, 1u); }
  }
  workgroupBarrier();
  if (lidx == 0u) { poisonFlag = atomicLoad(&poisonCount); }
  let poisoned = workgroupUniformLoad(&poisonFlag);
${unrolled(8, (j) => `  var dk${j} = 0.0;\n  var dv${j} = 0.0;`)}
  // the first query that sees key k0
  let qStart = ${causal ? `u32(max(0, i32(k0) - p.shift)) / ${BLOCK}u * ${BLOCK}u` : '0u'};
  for (var hb = 0u; hb < select(p.groups, 0u, poisoned != 0u); hb++) {
    let b = g * p.groups + hb;
${QUERY_OFFSETS_WGSL}
    for (var i0 = qStart; i0 < p.L; i0 += ${BLOCK}u) {
      let i = i0 + r;
${ROW_STATS_WGSL}
${gradientsWGSL(masked, causal)}
${unrolled(4, (j) => storeWeightWGSL(j, `p${j}`))}
      workgroupBarrier();
      if (c0 < p.Ev) {
${loadChunkWGSL(operand('dout', 'doutOff', 'i0', 'p.L', 'p.Ev'))}
        workgroupBarrier();
${accumulateWGSL('dv', true)}
      }
      workgroupBarrier();
${unrolled(4, (j) => storeWeightWGSL(j, `ds${j}`))}
      if (c0 < p.E) {
${loadChunkWGSL(operand('q', 'qOff', 'i0', 'p.L', 'p.E'))}
      }
      workgroupBarrier();
      if (c0 < p.E) {
${accumulateWGSL('dk', true)}
      }
    }
  }
  let key = k0 + r;
  if (key >= p.S) { return; }
${write('dk', 'dk', 'p.E')}
${write('dv', 'dv', 'p.Ev')}
}`;
}

/** One gradient dispatch: a workgroup per (head, block of 32 rows, chunk of 64 columns). */
interface GradientPass {
  rowData: GPUStorage;
  statsAt: number;
  outputs: readonly ('dq' | 'dk' | 'dv')[];
  /** Query heads (for dq) or key/value heads (for dk, dv). */
  heads: number;
  /** The uniform naming the blocks per head, and their count. */
  blocks: readonly ['qBlocks' | 'kBlocks', number];
  chunks: number;
  body: string;
}

/** Binds the operands, the mask, `rowData` and the outputs of `pass`, and dispatches it. */
function gradientPass(rt: WebGPURuntime, a: AttentionBackwardArgs<DeviceMemory>, pass: GradientPass): void {
  const kernel = 'attentionBackward';
  const [blocksName, blocks] = pass.blocks;
  const views = { q: a.q, k: a.k, v: a.v, dout: a.dout };
  launch(rt, {
    kernel,
    bindings: [
      ...operandBindings(kernel, views, a.mask),
      { name: 'rowData', storage: pass.rowData, type: 'u32' },
      ...pass.outputs.map((name): KernelBinding => {
        return { name, storage: floatStorage(a[name], kernel, name), type: 'f32', write: true };
      }),
    ],
    params: attentionParams(
      a,
      { [blocksName]: ['u32', blocks], chunks: ['u32', pass.chunks], statsAt: ['u32', pass.statsAt] },
      views,
    ),
    body: pass.body,
    workgroups: rt.grid(pass.heads * blocks * pass.chunks, 1),
  });
}

/** Fused attention backward; see {@link AttentionBackwardArgs}. */
export function attentionBackward(rt: WebGPURuntime, a: AttentionBackwardArgs<DeviceMemory>): void {
  const { batch, groups, L, S, E, Ev, mask, causal } = a;
  const kvBatch = batch / groups;
  const rows = batch * L;
  if (batch === 0) return;
  const offsets = concatOffsets([a.q, a.k, a.v, a.dout], [batch, kvBatch, kvBatch, batch]);
  const statsAt = offsets.length;
  const words = new Int32Array(statsAt + 2 * rows);
  words.set(offsets);
  const rowData = rt.upload(words);
  const kernel = 'attentionBackward';
  if (rows > 0)
    launch(rt, {
      kernel,
      bindings: [
        { name: 'dout', storage: floatStorage(a.dout.data, kernel, 'dout'), type: 'f32' },
        { name: 'out', storage: floatStorage(a.out, kernel, 'out'), type: 'f32' },
        { name: 'lse', storage: floatStorage(a.lse, kernel, 'lse'), type: 'f32' },
        { name: 'rowData', storage: rowData, type: 'u32', write: true },
      ],
      params: {
        rows: ['u32', rows],
        L: ['u32', L],
        Ev: ['u32', Ev],
        doutAt: ['u32', batch + 2 * kvBatch],
        statsAt: ['u32', statsAt],
        doutRowStride: ['u32', a.dout.rowStride],
        doutColStride: ['u32', a.dout.colStride],
      },
      body: STATS_WGSL,
      workgroups: rt.grid(Math.ceil(rows / BLOCK), 1),
    });
  const masked = mask !== null;
  const pass = { rowData, statsAt };
  const dqChunks = Math.ceil(E / CHUNK);
  if (rows > 0 && dqChunks > 0)
    gradientPass(rt, a, {
      ...pass,
      outputs: ['dq'],
      heads: batch,
      blocks: ['qBlocks', Math.ceil(L / BLOCK)],
      chunks: dqChunks,
      body: dqWGSL(masked, causal),
    });
  const kvChunks = Math.ceil(Math.max(E, Ev) / CHUNK);
  if (S > 0 && kvChunks > 0)
    gradientPass(rt, a, {
      ...pass,
      outputs: ['dk', 'dv'],
      heads: kvBatch,
      blocks: ['kBlocks', Math.ceil(S / BLOCK)],
      chunks: kvChunks,
      body: dkvWGSL(masked, causal),
    });
}
