import type { Float32Source } from '../../dtype.js';
import type { FusedHostBackend } from '../fused-kernels.js';
import { jsBackend } from '../js/index.js';
import { wasmAdamW } from './adamw.js';
import { wasmAttention, wasmAttentionBackward } from './attention.js';
import { wasmBinary, wasmReduce, wasmWhere } from './binary.js';
import { wasmUnary, wasmUnaryBackward } from './elementwise.js';
import { wasmCrossEntropy, wasmCrossEntropyBackward } from './loss.js';
import { wasmMatmul } from './matmul.js';
import { wasmSimdSupported } from './module.js';
import { wasmCopy } from './movement.js';
import { wasmLayerNorm, wasmLayerNormBackward } from './norm.js';
import { wasmPackLinear } from './packed-linear.js';
import { getRuntime } from './runtime.js';
import { wasmAttentionSoftmax, wasmSoftmax, wasmSoftmaxBackward } from './softmax.js';

/**
 * The WebAssembly SIMD kernels: float32 fast paths for matmul, elementwise functions, softmax and
 * the fused norm / loss / optimizer kernels, with the JS kernels for every dtype or layout they do
 * not cover. The module is instantiated on first use. While it is the active backend, float32
 * storage (of at least 256 elements) is allocated in the kernels' memory where that memory is shared,
 * and `upload` copies float32 arrays there: the kernels then read and write them in place, and copy
 * other arrays through their arena.
 */
export const wasmBackend: FusedHostBackend = {
  ...jsBackend,
  name: 'wasm',
  upload(values) {
    const resident = values instanceof Float32Array ? residentFloat32.alloc(values.length) : null;
    resident?.set(values);
    return resident ?? values;
  },
  unary(op, x, out) {
    const rt = getRuntime();
    if (!rt || !wasmUnary(rt, op, x, out)) jsBackend.unary(op, x, out);
  },
  binary(op, a, b, out, shape) {
    const rt = getRuntime();
    if (!rt || !wasmBinary(rt, op, a, b, out, shape)) jsBackend.binary(op, a, b, out, shape);
  },
  where(cond, a, b, out, shape) {
    const rt = getRuntime();
    if (!rt || !wasmWhere(rt, cond, a, b, out, shape)) jsBackend.where(cond, a, b, out, shape);
  },
  copy(src, out, shape) {
    const rt = getRuntime();
    if (!rt || !wasmCopy(rt, src, out, shape)) jsBackend.copy(src, out, shape);
  },
  reduce(op, x, out, outer, inner) {
    const rt = getRuntime();
    if (!rt || !wasmReduce(rt, op, x, out, outer, inner)) jsBackend.reduce(op, x, out, outer, inner);
  },
  matmul(args) {
    const rt = getRuntime();
    if (!rt || !wasmMatmul(rt, args)) jsBackend.matmul(args);
  },
  packLinear(args) {
    return wasmPackLinear(args) ?? jsBackend.packLinear(args);
  },
  softmax(x, out, rows, cols, log) {
    const rt = getRuntime();
    if (!rt || !wasmSoftmax(rt, x, out, rows, cols, log)) jsBackend.softmax(x, out, rows, cols, log);
  },
  softmaxBackward(y, dy, dx, rows, cols, log) {
    const rt = getRuntime();
    if (!rt || !wasmSoftmaxBackward(rt, y, dy, dx, rows, cols, log))
      jsBackend.softmaxBackward(y, dy, dx, rows, cols, log);
  },
  attentionSoftmax(args) {
    const rt = getRuntime();
    if (!rt || !wasmAttentionSoftmax(rt, args)) jsBackend.attentionSoftmax(args);
  },
  attentionSoftmaxBackward(y, dy, dx, rows, cols, scale) {
    const rt = getRuntime();
    if (!rt || !wasmSoftmaxBackward(rt, y, dy, dx, rows, cols, false, scale))
      jsBackend.attentionSoftmaxBackward(y, dy, dx, rows, cols, scale);
  },
  attention(args) {
    const rt = getRuntime();
    if (!rt || !wasmAttention(rt, args)) jsBackend.attention(args);
  },
  attentionBackward(args) {
    const rt = getRuntime();
    if (!rt || !wasmAttentionBackward(rt, args)) jsBackend.attentionBackward(args);
  },
  unaryBackward(op, x, dy, dx) {
    const rt = getRuntime();
    if (!rt || !wasmUnaryBackward(rt, op, x, dy, dx)) jsBackend.unaryBackward(op, x, dy, dx);
  },
  layerNorm(args) {
    const rt = getRuntime();
    if (!rt || !wasmLayerNorm(rt, args)) jsBackend.layerNorm(args);
  },
  layerNormBackward(args) {
    const rt = getRuntime();
    if (!rt || !wasmLayerNormBackward(rt, args)) jsBackend.layerNormBackward(args);
  },
  crossEntropy(args) {
    const rt = getRuntime();
    if (!rt || !wasmCrossEntropy(rt, args)) jsBackend.crossEntropy(args);
  },
  crossEntropyBackward(args) {
    const rt = getRuntime();
    if (!rt || !wasmCrossEntropyBackward(rt, args)) jsBackend.crossEntropyBackward(args);
  },
  adamw(args) {
    const rt = getRuntime();
    if (!rt || !wasmAdamW(rt, args)) jsBackend.adamw(args);
  },
};

/**
 * The kernels' memory as a home for float32 storage: arrays there are read and written in place,
 * without copies. It gives none where the memory is not shared or cannot hold them.
 */
export const residentFloat32: Float32Source = {
  alloc: (length) => getRuntime()?.allocFloat32(length) ?? null,
  zero: (array) => getRuntime()?.zeroFloat32(array) ?? false,
};

/** True when this engine can run the WASM backend (WebAssembly with fixed-width SIMD). */
export function wasmAvailable(): boolean {
  return wasmSimdSupported();
}
