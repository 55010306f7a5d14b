import type { DeviceStorage } from '../memory.js';
import type { WindowGeometry } from '../window-args.js';
import type { GPUDType } from './gpu-storage.js';
import { bindArg, perElementMainWGSL, runShader, WORKGROUP } from './rows-wgsl.js';
import type { Uniform, WebGPURuntime } from './runtime.js';

/** Elements of the images `[batch, channels, height, width]`. */
export function imageSize(g: WindowGeometry): number {
  return g.batch * g.channels * g.height * g.width;
}

/** Elements of the pooled maps `[batch, channels, outHeight, outWidth]`. */
export function pooledSize(g: WindowGeometry): number {
  return g.batch * g.channels * g.outHeight * g.outWidth;
}

/** Elements of the columns `[batch, channels·kernelH·kernelW, outHeight·outWidth]`. */
export function columnsSize(g: WindowGeometry): number {
  return pooledSize(g) * g.kernelH * g.kernelW;
}

/**
 * WGSL helpers of the window kernels, reading the geometry from `params` (all i32: window positions
 * go below 0 in the padding).
 *
 * `windowRange(pos, pad, reach, stride, count)`: the windows `o` (`lo..hi`, empty when `lo > hi`)
 * along one axis whose elements `o·stride − pad + [0, reach]` can hold image position `pos`; a
 * gather kernel visits them in ascending order, the order in which the reference's loops add.
 */
const GEOMETRY_WGSL = `fn windowRange(pos: i32, pad: i32, reach: i32, stride: i32, count: i32) -> vec2i {
  let far = pos + pad - reach;
  return vec2i(select((far + stride - 1) / stride, 0, far <= 0), min(count - 1, (pos + pad) / stride));
}`;

/** What an argument of a window kernel spans: the images, the pooled maps, or the columns. */
export type Extent = 'image' | 'pooled' | 'columns';

const EXTENTS: Record<Extent, (g: WindowGeometry) => number> = {
  image: imageSize,
  pooled: pooledSize,
  columns: columnsSize,
};

/** A window kernel: its storage arguments, its threads, its uniforms and its WGSL. */
export interface WindowKernel<A extends WindowGeometry> {
  /** Storage arguments in binding order, each bound under its argument's name (float32 unless said). */
  buffers: readonly { name: keyof A & string; extent: Extent; write?: boolean; dtype?: GPUDType }[];
  /** A thread for each element of this extent. */
  threads: Extent;
  /** Uniforms besides the geometry. */
  params?: (args: A) => Record<string, Uniform>;
  /** WGSL helpers besides `windowRange`. */
  helpers?: string;
  /** WGSL run by the thread of element `idx` (i32). */
  body: string;
}

/** The geometry fields the shaders read, as `params.height`, …, `params.outWidth`. */
const GEOMETRY_FIELDS = [
  'height',
  'width',
  'kernelH',
  'kernelW',
  'strideH',
  'strideW',
  'padH',
  'padW',
  'dilationH',
  'dilationW',
  'outHeight',
  'outWidth',
] as const;

/** The kernel function of `spec`: checks and binds its arguments, then dispatches it (nothing when empty). */
export function windowKernel<A extends WindowGeometry>(
  rt: WebGPURuntime,
  kernel: string,
  spec: WindowKernel<A>,
): (args: A) => void {
  return (args) => {
    const buffers = spec.buffers.map(({ name, extent, write, dtype }) =>
      bindArg(kernel, name, args[name] as DeviceStorage, dtype ?? 'float32', EXTENTS[extent](args), write),
    );
    const count = EXTENTS[spec.threads](args);
    if (count === 0) return;
    const geometry: Record<string, Uniform> = {};
    for (const field of GEOMETRY_FIELDS) geometry[field] = ['i32', args[field]];
    runShader(rt, {
      buffers,
      params: { count: ['u32', count], ...geometry, ...spec.params?.(args) },
      body: `${GEOMETRY_WGSL}
${spec.helpers ?? ''}
${perElementMainWGSL('count', `  let idx = i32(i);\n${spec.body}`)}`,
      workgroups: rt.grid(count, WORKGROUP),
    });
  };
}
