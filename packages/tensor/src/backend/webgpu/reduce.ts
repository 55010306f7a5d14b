import { ShapeError } from '../../errors.js';
import type { ReduceOp } from '../backend.js';
import type { DeviceStorage } from '../memory.js';
import { SCALAR_OF, type Scalar } from './elementwise-ops.js';
import { type GPUStorage, gpuStorage } from './gpu-storage.js';
import { REDUCE_WORKGROUP, type ReduceState, reduceShader, reduceState } from './reduce-wgsl.js';
import type { WebGPURuntime } from './runtime.js';

/**
 * The reduce kernel: each row of a contiguous `[outer, inner]` block into `out[outer]`. Short rows
 * share a workgroup (a power-of-two group of threads per row, about four elements per thread or
 * more); rows longer than 512 take a whole workgroup, and when there are too few of them to fill a
 * large GPU, each row is split into chunks of at least 4096 elements reduced by separate workgroups
 * and combined by a second pass (so a sum over a whole tensor still runs on every core).
 */

/** Enough workgroups to keep a large GPU busy (an H100 has 132 multiprocessors). */
const TARGET_GROUPS = 1024;
/** Fewest elements per chunk of a split row. */
const MIN_CHUNK = 4096;

/** Threads per row: doubled while each thread would still get more than four elements. */
function lanesFor(length: number): number {
  let lanes = 1;
  while (lanes < REDUCE_WORKGROUP && lanes * 4 < length) lanes *= 2;
  return lanes;
}

/** One pass: rows of `inner` inputs (elements, or a first pass's states), `lanes` threads per row. */
interface PassArgs {
  input: GPUStorage;
  output: GPUStorage;
  inputKind: Scalar | 'state';
  outputKind: Scalar | 'state';
  outer: number;
  inner: number;
  chunks: number;
  lanes: number;
}

/** Dispatches one pass: a workgroup per `REDUCE_WORKGROUP / lanes` (row, chunk) tasks. */
function runPass(rt: WebGPURuntime, state: ReduceState, args: PassArgs): void {
  const { outer, inner, chunks, lanes } = args;
  const chunkLength = Math.ceil(inner / chunks);
  const groups = Math.ceil((outer * chunks * lanes) / REDUCE_WORKGROUP);
  rt.run({
    code: reduceShader(state, { input: args.inputKind, output: args.outputKind }),
    storages: [args.output, args.input],
    uniforms: [
      ['u32', outer],
      ['u32', inner],
      ['u32', chunks],
      ['u32', chunkLength],
      ['u32', Math.log2(lanes)],
      ['u32', groups],
      ['f32', 1],
    ],
    workgroups: rt.grid(groups * REDUCE_WORKGROUP, REDUCE_WORKGROUP),
  });
}

/** The WebGPU `reduce` kernel on `rt`. */
export function reduceKernel(
  rt: WebGPURuntime,
): (op: ReduceOp, x: DeviceStorage, out: DeviceStorage, outer: number, inner: number) => void {
  return (op, x, out, outer, inner) => {
    const kernel = `reduce ${op}`;
    const [input, output] = [gpuStorage(x, kernel), gpuStorage(out, kernel)];
    if (input.length < outer * inner || output.length < outer)
      throw new ShapeError(
        `webgpu ${kernel}: [${outer}, ${inner}] needs ${outer * inner} inputs and ${outer} outputs, got ${input.length} and ${output.length}`,
      );
    if (input.buffer === output.buffer)
      throw new ShapeError(
        `webgpu ${kernel}: out is the input storage (rows are read while results are written)`,
      );
    if (outer === 0) return;
    const [inKind, outKind] = [SCALAR_OF[input.dtype], SCALAR_OF[output.dtype]];
    const state = reduceState(op, inKind, outKind);
    const lanes = lanesFor(inner);
    const chunks =
      lanes === REDUCE_WORKGROUP
        ? Math.min(Math.ceil(inner / MIN_CHUNK), Math.floor(TARGET_GROUPS / outer))
        : 1;
    const common = { input, outer, inner, inputKind: inKind };
    if (chunks < 2) {
      runPass(rt, state, { ...common, output, outputKind: outKind, chunks: 1, lanes });
      return;
    }
    const partial = rt.alloc('float32', outer * chunks * state.words);
    runPass(rt, state, { ...common, output: partial, outputKind: 'state', chunks, lanes });
    runPass(rt, state, {
      input: partial,
      inputKind: 'state',
      output,
      outputKind: outKind,
      outer,
      inner: chunks,
      chunks: 1,
      lanes: lanesFor(chunks),
    });
  };
}
