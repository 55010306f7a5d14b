import type { NormBackwardArgs } from '../backend.js';
import type { DeviceMemory } from '../memory.js';
import { bindArg, perElementMainWGSL, present, runShader, WORKGROUP } from './rows-wgsl.js';
import { flatIndexWGSL, type WebGPURuntime } from './runtime.js';

/** Columns a workgroup of the first pass covers (adjacent threads read adjacent columns). */
const BLOCK_COLS = 64;
/** Threads along the rows of a workgroup of the first pass. */
const ROW_LANES = WORKGROUP / BLOCK_COLS;
/** Rows a workgroup of the first pass sums; the second pass adds its chunks' partial sums. */
const CHUNK_ROWS = 256;

/**
 * The column sums of the norm backward, `dweight = Σ_rows dy·x̂` and `dbias = Σ_rows dy` (the
 * requested ones), without float atomics: the first pass gives each workgroup a block of columns
 * and a chunk of rows and writes its partial sums, the second adds the chunks of each column in
 * order. Deterministic, and parallel over rows as well as columns.
 */
export function normColumnSums(rt: WebGPURuntime, args: NormBackwardArgs<DeviceMemory>): void {
  const { rows, cols, rms } = args;
  const k = 'layerNormBackward';
  const dweight = args.dweight && bindArg(k, 'dweight', args.dweight, 'float32', cols, true);
  const dbias = args.dbias && bindArg(k, 'dbias', args.dbias, 'float32', cols, true);
  const outputs = present(dweight, dbias);
  if (cols === 0 || outputs.length === 0) return;
  const chunks = Math.ceil(rows / CHUNK_ROWS);
  const blocks = chunks * Math.ceil(cols / BLOCK_COLS);
  // partial[(chunk·outputs + o)·cols + j]: output o (dweight first) of column j over one chunk of rows
  const partial = rt.alloc('float32', chunks * outputs.length * cols);
  const params = {
    rows: ['u32', rows],
    cols: ['u32', cols],
    chunks: ['u32', chunks],
    blocks: ['u32', blocks],
  } as const;
  const xhat = `((x[at] - ${rms ? '0.0' : 'mean[r]'}) * rstd[r])`;
  const slots = outputs.map(
    (_, o) =>
      `partial[(chunk * ${outputs.length}u + ${o}u) * cols + j] = ${o === 0 && dweight ? 'total.x' : 'total.y'};`,
  );
  if (blocks > 0)
    runShader(rt, {
      buffers: present(
        bindArg(k, 'dy', args.dy, 'float32', rows * cols),
        dweight && bindArg(k, 'x', args.x, 'float32', rows * cols),
        dweight && !rms ? bindArg(k, 'mean', args.mean, 'float32', rows) : null,
        dweight && bindArg(k, 'rstd', args.rstd, 'float32', rows),
        { name: 'partial', storage: partial, write: true },
      ),
      params,
      body: `${flatIndexWGSL(1)}
var<workgroup> lanes: array<vec2f, ${WORKGROUP}>;
@compute @workgroup_size(${BLOCK_COLS}, ${ROW_LANES})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_id) local: vec3u, @builtin(local_invocation_index) lid: u32) {
  let block = flatIndex(wid, groups);
  if (block >= params.blocks) { return; }
  let cols = params.cols;
  let colBlocks = (cols + ${BLOCK_COLS - 1}u) / ${BLOCK_COLS}u;
  let chunk = block / colBlocks;
  let j = (block % colBlocks) * ${BLOCK_COLS}u + local.x;
  var sums = vec2f(0.0); // (Σ dy·x̂, Σ dy) over this thread's rows
  if (j < cols) {
    let end = min(params.rows, (chunk + 1u) * ${CHUNK_ROWS}u);
    for (var r = chunk * ${CHUNK_ROWS}u + local.y; r < end; r += ${ROW_LANES}u) {
      let at = r * cols + j;
      let d = dy[at];
      sums += vec2f(${dweight ? `d * ${xhat}` : '0.0'}, d);
    }
  }
  lanes[lid] = sums;
  workgroupBarrier();
  if (local.y == 0u && j < cols) {
    var total = lanes[lid];
    for (var lane = 1u; lane < ${ROW_LANES}u; lane++) { total += lanes[lid + lane * ${BLOCK_COLS}u]; }
    ${slots.join('\n    ')}
  }
}`,
      workgroups: rt.grid(blocks, 1),
    });
  const store =
    outputs.length === 1
      ? `${outputs[0]!.name}[j] = total;`
      : 'if (o == 0u) { dweight[j] = total; } else { dbias[j] = total; }';
  runShader(rt, {
    buffers: [{ name: 'partial', storage: partial, write: false }, ...outputs],
    params: { ...params, count: ['u32', outputs.length * cols] },
    body: perElementMainWGSL(
      'count',
      `  let cols = params.cols;
  let o = i / cols;
  let j = i % cols;
  var total = 0.0;
  for (var chunk = 0u; chunk < params.chunks; chunk++) { total += partial[(chunk * ${outputs.length}u + o) * cols + j]; }
  ${store}`,
    ),
    workgroups: rt.grid(outputs.length * cols, WORKGROUP),
  });
}
