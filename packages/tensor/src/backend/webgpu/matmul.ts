import type { MatmulArgs } from '../backend.js';
import type { DeviceMemory } from '../memory.js';
import { attentionKernels } from './attention.js';
import type { GPUKernels } from './kernels.js';
import { floatStorage, launch, mainWGSL, unrolled } from './matmul-wgsl.js';
import type { WebGPURuntime } from './runtime.js';
import { softmaxKernels } from './softmax.js';

/**
 * The tiled batched matmul: each workgroup of 16×16 threads computes a 64×64 tile of one output
 * matrix, 4×4 outputs per thread, walking k in steps of 16 through workgroup memory. Operands are
 * read in place through their strides; the tile loads walk the operand's unit-stride axis across
 * neighbouring threads (k for a row-major A, the rows for a transposed one) so global reads
 * coalesce. Tiles of every batch entry form one flat grid (wrapping into y past 65,535 workgroups),
 * so any batch count works.
 */

const TILE = 64;
const TILE_K = 16;
/** vec4 columns per k-row of a tile in workgroup memory: 16, padded by one against bank conflicts. */
const TILE_STRIDE = TILE / 4 + 1;

/**
 * WGSL of the matmul kernel. `aAlongK`: neighbouring threads load neighbouring k of A (A row-major);
 * `bAlongN`: neighbouring threads load neighbouring columns of B (B row-major).
 */
function matmulWGSL(aAlongK: boolean, bAlongN: boolean): string {
  return `
var<workgroup> aTile: array<vec4<f32>, ${TILE_K * TILE_STRIDE}>;
var<workgroup> bTile: array<vec4<f32>, ${TILE_K * TILE_STRIDE}>;

${mainWGSL(256)}
  if (w >= p.batch * p.tilesPerMatrix) { return; }
  let bt = w / p.tilesPerMatrix;
  let row0 = w % p.tilesPerMatrix / p.tilesN * ${TILE}u;
  let col0 = w % p.tilesPerMatrix % p.tilesN * ${TILE}u;
  let tx = lidx % 16u; // this thread's 4 columns and 4 rows of the tile
  let ty = lidx / 16u;
  let aOff = offsets[bt];
  let bOff = offsets[p.batch + bt];
${unrolled(4, (r) => `  var acc${r} = vec4<f32>(0.0);`)}
  for (var k0 = 0u; k0 < p.k; k0 += ${TILE_K}u) {
    for (var h = 0u; h < 4u; h++) {
      let l = lidx + h * 256u;
      let ar = ${aAlongK ? `l / ${TILE_K}u` : `l % ${TILE}u`};
      let ak = ${aAlongK ? `l % ${TILE_K}u` : `l / ${TILE}u`};
      var av = 0.0;
      if (row0 + ar < p.m && k0 + ak < p.k) {
        av = a[aOff + (row0 + ar) * p.aRowStride + (k0 + ak) * p.aColStride];
      }
      aTile[ak * ${TILE_STRIDE}u + ar / 4u][ar % 4u] = av;
      let bc = ${bAlongN ? `l % ${TILE}u` : `l / ${TILE_K}u`};
      let bk = ${bAlongN ? `l / ${TILE}u` : `l % ${TILE_K}u`};
      var bv = 0.0;
      if (col0 + bc < p.n && k0 + bk < p.k) {
        bv = b[bOff + (k0 + bk) * p.bRowStride + (col0 + bc) * p.bColStride];
      }
      bTile[bk * ${TILE_STRIDE}u + bc / 4u][bc % 4u] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TILE_K}u; kk++) {
      let av = aTile[kk * ${TILE_STRIDE}u + ty];
      let bv = bTile[kk * ${TILE_STRIDE}u + tx];
${unrolled(4, (r) => `      acc${r} += av[${r}] * bv;`)}
    }
    workgroupBarrier();
  }
${unrolled(
  4,
  (r) => `  if (row0 + ty * 4u + ${r}u < p.m) {
    let base = (bt * p.m + row0 + ty * 4u + ${r}u) * p.n;
    for (var c = 0u; c < 4u; c++) {
      let col = col0 + tx * 4u + c;
      if (col < p.n) { out[base + col] = acc${r}[c]; }
    }
  }`,
)}
}`;
}

/** `out[b] = A[b]·B[b]` for every batch entry; see {@link MatmulArgs}. */
function matmul(rt: WebGPURuntime, args: MatmulArgs<DeviceMemory>): void {
  const { batch, m, n, k } = args;
  if (batch === 0 || m === 0 || n === 0) return;
  const offsets = new Int32Array(2 * batch);
  offsets.set(args.aOffsets.subarray(0, batch));
  offsets.set(args.bOffsets.subarray(0, batch), batch);
  const tilesN = Math.ceil(n / TILE);
  const tilesPerMatrix = Math.ceil(m / TILE) * tilesN;
  launch(rt, {
    kernel: 'matmul',
    bindings: [
      { name: 'a', storage: floatStorage(args.a, 'matmul', 'a'), type: 'f32' },
      { name: 'b', storage: floatStorage(args.b, 'matmul', 'b'), type: 'f32' },
      { name: 'offsets', storage: rt.upload(offsets), type: 'u32' },
      { name: 'out', storage: floatStorage(args.out, 'matmul', 'out'), type: 'f32', write: true },
    ],
    params: {
      batch: ['u32', batch],
      m: ['u32', m],
      n: ['u32', n],
      k: ['u32', k],
      aRowStride: ['u32', args.aRowStride],
      aColStride: ['u32', args.aColStride],
      bRowStride: ['u32', args.bRowStride],
      bColStride: ['u32', args.bColStride],
      tilesN: ['u32', tilesN],
      tilesPerMatrix: ['u32', tilesPerMatrix],
    },
    body: matmulWGSL(args.aColStride === 1, args.bColStride === 1),
    workgroups: rt.grid(batch * tilesPerMatrix, 1),
  });
}

/** Matrix product, softmax and attention kernels in WGSL. */
export function matmulKernels(
  rt: WebGPURuntime,
): Pick<
  GPUKernels,
  | 'matmul'
  | 'softmax'
  | 'softmaxBackward'
  | 'attentionSoftmax'
  | 'attentionSoftmaxBackward'
  | 'attention'
  | 'attentionBackward'
> {
  return {
    matmul: (args) => matmul(rt, args),
    ...softmaxKernels(rt),
    ...attentionKernels(rt),
  };
}
