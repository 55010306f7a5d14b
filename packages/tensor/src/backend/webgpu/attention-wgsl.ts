import { mainWGSL, unrolled } from './matmul-wgsl.js';

/**
 * WGSL building blocks of the fused attention kernels. A workgroup of 256 threads works on a block
 * of 32 queries × 32 keys: thread `lidx` owns row `r = lidx / 8` and columns `lane + 8j`
 * (`lane = lidx % 8`, j = 0…3) of the block, and, for the products with values or keys, columns
 * `lane + 8j` (j = 0…7) of a 64-wide chunk of the output. Operands stream through one shared `tile`.
 */

/** Queries (and keys) per block. */
export const BLOCK = 32;
/** Output columns a workgroup owns (head dimensions beyond it take more workgroups). */
export const CHUNK = 64;
/** Row stride of a 32×32 block in workgroup memory, padded against bank conflicts. */
const PADDED = BLOCK + 1;
/** Width of the slices of the head dimension that dot products stream through `tile`. */
const SLICE = 16;

/**
 * Matrices of one batch entry read in place: row `i`, column `c` at
 * `buffer[offset + i·rowStride + c·colStride]`, rows `first …` of `rows`, columns `< cols`
 * (all WGSL expressions).
 */
export interface BlockOperand {
  buffer: string;
  offset: string;
  rowStride: string;
  colStride: string;
  first: string;
  rows: string;
  cols: string;
}

/** The operand named `name` (`q`, `k`, `v`, `dout`) with uniforms `p.<name>RowStride`, `p.<name>ColStride`. */
export function operand(
  name: string,
  offset: string,
  first: string,
  rows: string,
  cols: string,
): BlockOperand {
  return {
    buffer: name,
    offset,
    rowStride: `p.${name}RowStride`,
    colStride: `p.${name}ColStride`,
    first,
    rows,
    cols,
  };
}

/** The element at `row`, `col` of operand `o` (0 outside it): a WGSL expression. */
function element(o: BlockOperand, row: string, col: string): string {
  const i = `(${o.first} + ${row})`;
  return `select(0.0, ${o.buffer}[${o.offset} + ${i} * ${o.rowStride} + (${col}) * ${o.colStride}], ${i} < ${o.rows} && (${col}) < ${o.cols})`;
}

/**
 * WGSL opening the entry point of a kernel with a workgroup per (query head `b`, 32 queries from
 * `i0`, 64 output columns from `c0`): thread row `r` is query `i`; `g` is the key/value head.
 */
export const QUERY_BLOCK_MAIN_WGSL = `${mainWGSL(256)}
  if (w >= p.batch * p.qBlocks * p.chunks) { return; }
  let c0 = w % p.chunks * ${CHUNK}u;
  let i0 = w / p.chunks % p.qBlocks * ${BLOCK}u;
  let b = w / (p.chunks * p.qBlocks);
  let g = b / p.groups;
  let r = lidx / 8u;
  let lane = lidx % 8u;
  let i = i0 + r;`;

/** Workgroup memory of the attention kernels: the operand tile and one 32×32 block of weights. */
export const ATTENTION_MEMORY_WGSL = `
var<workgroup> tile: array<f32, ${BLOCK * CHUNK}>;
var<workgroup> weights: array<f32, ${BLOCK * PADDED}>;`;

/**
 * WGSL adding `Σ_c x[r][c]·y[lane + 8j][c]` into `${acc}0…3`, over the columns of `x` and `y`
 * (which have the same count), streamed through `tile` 16 columns at a time. Call it in uniform
 * control flow: it synchronises the workgroup.
 */
export function blockDotWGSL(acc: string, x: BlockOperand, y: BlockOperand): string {
  const yBase = SLICE * PADDED;
  return `
  for (var c0 = 0u; c0 < ${x.cols}; c0 += ${SLICE}u) {
    workgroupBarrier();
    for (var h = 0u; h < 2u; h++) {
      let l = lidx + h * 256u;
      let row = l / ${SLICE}u;
      let c = l % ${SLICE}u;
      tile[c * ${PADDED}u + row] = ${element(x, 'row', 'c0 + c')};
      tile[${yBase}u + c * ${PADDED}u + row] = ${element(y, 'row', 'c0 + c')};
    }
    workgroupBarrier();
    for (var c = 0u; c < ${SLICE}u; c++) {
      let xv = tile[c * ${PADDED}u + r];
${unrolled(4, (j) => `      ${acc}${j} += xv * tile[${yBase}u + c * ${PADDED}u + lane + ${8 * j}u];`)}
    }
  }`;
}

/**
 * WGSL loading columns `c0 … c0 + 63` of rows `0 … 31` of `o` into `tile` (zeros outside it). The
 * caller synchronises before (the tile's last readers) and after.
 */
export function loadChunkWGSL(o: BlockOperand): string {
  return `
  for (var h = 0u; h < ${(BLOCK * CHUNK) / 256}u; h++) {
    let l = lidx + h * 256u;
    tile[l] = ${element(o, `l / ${CHUNK}u`, `c0 + l % ${CHUNK}u`)};
  }`;
}

/**
 * WGSL adding `Σ_t weights[r][t]·tile[t][lane + 8j]` into `${acc}0…7` (`transposed`:
 * `weights[t][r]`); zero weights are skipped, so what they would multiply never reaches the sum.
 */
export function accumulateWGSL(acc: string, transposed: boolean): string {
  return `
  for (var t = 0u; t < ${BLOCK}u; t++) {
    let w = weights[${transposed ? `t * ${PADDED}u + r` : `r * ${PADDED}u + t`}];
    if (!(w == 0.0)) {
${unrolled(8, (j) => `      ${acc}${j} += w * tile[t * ${CHUNK}u + lane + ${8 * j}u];`)}
    }
  }`;
}

/** WGSL storing `value` as entry (r, lane + 8j) of the 32×32 `weights` block. */
export function storeWeightWGSL(j: number, value: string): string {
  return `  weights[r * ${PADDED}u + lane + ${8 * j}u] = ${value};`;
}

/**
 * WGSL of the score `x${j}` of query `i` and key `key${j}` from the dot product `s${j}`:
 * `scale·s + mask`, −∞ outside the matrices and (with `causal`) beyond the query's last visible key
 * `i + S − L`. The mask, when bound, is read at `mask[b·p.maskStride + i·S + key]`.
 */
export function scoreWGSL(j: number, masked: boolean, causal: boolean): string {
  const hidden = [`i >= p.L`, `key${j} >= p.S`];
  if (causal) hidden.push(`i32(key${j}) > i32(i) + p.shift`);
  return `
  let key${j} = k0 + lane + ${8 * j}u;
  var x${j} = negInf();
  if (!(${hidden.join(' || ')})) {
    x${j} = p.scale * s${j}${masked ? ` + mask[b * p.maskStride + i * p.S + key${j}]` : ''};
  }`;
}

/**
 * WGSL of the number of keys the queries of the block starting at `i0` may see: all `S`, or with
 * `causal` up to the last query's last visible key.
 */
export function keyEndWGSL(causal: boolean): string {
  return causal ? 'u32(clamp(i32(min(i0 + 32u, p.L)) + p.shift, 0, i32(p.S)))' : 'p.S';
}
