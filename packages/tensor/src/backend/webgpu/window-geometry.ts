import type { WindowGeometry } from '../window-args.js';
import { perElementMainWGSL, runShader, type ShaderBuffer, WORKGROUP } from './rows-wgsl.js';
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

/** One dispatch of a window kernel: a thread for each of `count` elements, `body` run for index `i`. */
export interface WindowShader {
  geometry: WindowGeometry;
  buffers: readonly ShaderBuffer[];
  /** Uniforms besides the geometry. */
  params?: Record<string, Uniform>;
  /** WGSL helpers besides `windowRange`. */
  helpers?: string;
  count: number;
  body: string;
}

/** Dispatches a window kernel with the geometry as uniforms (`params.height`, …, `params.outWidth`). */
export function runWindowShader(rt: WebGPURuntime, shader: WindowShader): void {
  const { geometry: g, count } = shader;
  if (count === 0) return;
  const geometry: Record<string, Uniform> = {};
  for (const key of [
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
  ] as const)
    geometry[key] = ['i32', g[key]];
  runShader(rt, {
    buffers: shader.buffers,
    params: { count: ['u32', count], ...geometry, ...shader.params },
    body: `${GEOMETRY_WGSL}
${shader.helpers ?? ''}
${perElementMainWGSL('count', `  let idx = i32(i);\n${shader.body}`)}`,
    workgroups: rt.grid(count, WORKGROUP),
  });
}
