import * as T from '@proj/tensor';
import { DTypeError, type Generator, ShapeError, type Tensor } from '@proj/tensor';
import { record } from '../graph.js';
import { fmtShapeOf } from '../tensor-utils.js';
import type { Variable, VariableLike } from '../variable.js';
import { add, maskedFill, mul } from './binary.js';
import { indexSelect } from './indexing.js';
import { lift } from './lift.js';
import { matmul } from './matmul.js';
import { reshape, transpose } from './movement.js';

/** Differentiable softmax along `dim` (default the last): `dx = y ⊙ (g − Σ g⊙y)`. */
export function softmax(x: VariableLike, dim = -1): Variable {
  const vx = lift(x);
  const out = T.softmax(vx.data, dim);
  return record('softmax', out, [vx], (g) => {
    const gy = g.mul(out);
    return [gy.sub(out.mul(T.sum(gy, dim, { keepdim: true })))];
  });
}

/** Differentiable log-softmax along `dim`: `dx = g − softmax(x) · Σ g`. */
export function logSoftmax(x: VariableLike, dim = -1): Variable {
  const vx = lift(x);
  const out = T.logSoftmax(vx.data, dim);
  return record('logSoftmax', out, [vx], (g) => [g.sub(out.exp().mul(T.sum(g, dim, { keepdim: true })))]);
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** Targets equal to this contribute nothing (default -100, as PyTorch). */
  ignoreIndex?: number;
  /** Mixes the one-hot target with the uniform distribution by this amount (default 0). */
  labelSmoothing?: number;
  /** `'mean'` over non-ignored targets (default), `'sum'`, or `'none'` (one loss per target). */
  reduction?: 'mean' | 'sum' | 'none';
}

/**
 * Fused, numerically stable cross-entropy from unnormalised `logits` `[..., C]` and int32 class
 * `targets` `[...]`; the backward is `(softmax − target distribution) · g` without forming a graph.
 * @throws ShapeError when shapes disagree; RangeError for a target outside `[0, C)` that is not ignored.
 */
export function crossEntropy(
  logits: VariableLike,
  targets: Tensor,
  options: CrossEntropyOptions = {},
): Variable {
  const vl = lift(logits);
  const { ignoreIndex = -100, labelSmoothing = 0, reduction = 'mean' } = options;
  if (vl.dtype !== 'float32' && vl.dtype !== 'float64')
    throw new DTypeError(`crossEntropy: logits must be float, got ${vl.dtype}`);
  if (targets.dtype !== 'int32')
    throw new DTypeError(`crossEntropy: targets must be int32, got ${targets.dtype}`);
  const classes = vl.shape[vl.ndim - 1] ?? 0;
  const rowsShape = vl.shape.slice(0, -1);
  if (targets.ndim !== rowsShape.length || targets.shape.some((d, i) => d !== rowsShape[i])) {
    throw new ShapeError(
      `crossEntropy: targets ${fmtShapeOf(targets)} must match logits ${fmtShapeOf(vl.data)} without the class axis`,
    );
  }
  const x = vl.data.contiguous().data() as Float32Array | Float64Array;
  const t = targets.data();
  const rows = t.length;
  const lse = new Float64Array(rows);
  const perRow = T.zeros([rows], { dtype: vl.dtype });
  const losses = perRow.storage;
  let counted = 0;
  for (let r = 0; r < rows; r++) {
    const target = t[r]!;
    if (target === ignoreIndex) continue;
    if (target < 0 || target >= classes)
      throw new RangeError(`crossEntropy: target ${target} at row ${r} is outside [0, ${classes})`);
    const base = r * classes;
    let peak = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < classes; j++) if (x[base + j]! > peak) peak = x[base + j]!;
    let total = 0;
    let rowSum = 0;
    for (let j = 0; j < classes; j++) {
      total += Math.exp(x[base + j]! - peak);
      rowSum += x[base + j]!;
    }
    const logZ = peak + Math.log(total);
    lse[r] = logZ;
    const nll = logZ - x[base + target]!;
    const smooth = logZ - rowSum / classes;
    losses[r] = (1 - labelSmoothing) * nll + labelSmoothing * smooth;
    counted++;
  }
  let out: Tensor;
  if (reduction === 'none') out = perRow.reshape(rowsShape);
  else {
    const total = T.sum(perRow.to('float64')).item();
    out = T.full([], reduction === 'mean' ? total / counted : total, { dtype: vl.dtype });
  }
  return record('crossEntropy', out, [vl], (g) => {
    const grad = T.zeros([rows, classes], { dtype: vl.dtype });
    const gx = grad.storage;
    const gData = g.data();
    const uniform = labelSmoothing / classes;
    for (let r = 0; r < rows; r++) {
      const target = t[r]!;
      if (target === ignoreIndex) continue;
      const scale = reduction === 'none' ? gData[r]! : reduction === 'mean' ? gData[0]! / counted : gData[0]!;
      const base = r * classes;
      for (let j = 0; j < classes; j++) gx[base + j] = (Math.exp(x[base + j]! - lse[r]!) - uniform) * scale;
      gx[base + target]! -= (1 - labelSmoothing) * scale;
    }
    return [grad.reshape(vl.shape)];
  });
}

/** Per-row statistics of a normalisation over the last axis. */
interface RowStats {
  rows: number;
  cols: number;
  x: Float32Array | Float64Array;
  mean: Float64Array | null;
  rstd: Float64Array;
}

function normalize(
  op: string,
  vx: Variable,
  weight: Variable | null,
  bias: Variable | null,
  eps: number,
  centre: boolean,
): [Tensor, RowStats] {
  const cols = vx.shape[vx.ndim - 1] ?? 1;
  for (const [name, p] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (p && (p.ndim !== 1 || p.shape[0] !== cols))
      throw new ShapeError(
        `${op}: ${name} ${fmtShapeOf(p.data)} must be [${cols}] for input ${fmtShapeOf(vx.data)}`,
      );
  }
  if (vx.dtype !== 'float32' && vx.dtype !== 'float64')
    throw new DTypeError(`${op}: input must be float, got ${vx.dtype}`);
  const x = vx.data.contiguous().data() as Float32Array | Float64Array;
  const rows = cols === 0 ? 0 : x.length / cols;
  const out = T.zeros(vx.shape, { dtype: vx.dtype });
  const y = out.storage;
  const w = weight?.data.data();
  const b = bias?.data.data();
  const mean = centre ? new Float64Array(rows) : null;
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let mu = 0;
    if (centre) {
      for (let j = 0; j < cols; j++) mu += x[base + j]!;
      mu /= cols;
    }
    let ss = 0;
    for (let j = 0; j < cols; j++) {
      const d = x[base + j]! - mu;
      ss += d * d;
    }
    const inv = 1 / Math.sqrt(ss / cols + eps);
    if (mean) mean[r] = mu;
    rstd[r] = inv;
    for (let j = 0; j < cols; j++) {
      let v = (x[base + j]! - mu) * inv;
      if (w) v *= w[j]!;
      if (b) v += b[j]!;
      y[base + j] = v;
    }
  }
  return [out, { rows, cols, x, mean, rstd }];
}

function normalizeBackward(
  g: Tensor,
  s: RowStats,
  vx: Variable,
  weight: Variable | null,
  bias: Variable | null,
) {
  const { rows, cols, x, mean, rstd } = s;
  const gy = g.contiguous().data() as Float32Array | Float64Array;
  const w = weight?.data.data();
  const dx = T.zeros(vx.shape, { dtype: vx.dtype });
  const dxs = dx.storage;
  const dw = new Float64Array(cols);
  const db = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const mu = mean ? mean[r]! : 0;
    const inv = rstd[r]!;
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let j = 0; j < cols; j++) {
      const xhat = (x[base + j]! - mu) * inv;
      const gj = gy[base + j]!;
      dw[j]! += gj * xhat;
      db[j]! += gj;
      const dyj = w ? gj * w[j]! : gj;
      sumDy += dyj;
      sumDyXhat += dyj * xhat;
    }
    const meanDy = mean ? sumDy / cols : 0;
    const meanDyXhat = sumDyXhat / cols;
    for (let j = 0; j < cols; j++) {
      const xhat = (x[base + j]! - mu) * inv;
      const dyj = w ? gy[base + j]! * w[j]! : gy[base + j]!;
      dxs[base + j] = inv * (dyj - meanDy - xhat * meanDyXhat);
    }
  }
  const asParam = (v: Float64Array) => T.tensor(v, { dtype: vx.dtype });
  return [dx, weight?.requiresGrad ? asParam(dw) : null, bias?.requiresGrad ? asParam(db) : null];
}

/**
 * Fused layer normalisation over the last axis: `(x − mean) / sqrt(var + eps) · weight + bias`
 * (biased variance, as PyTorch). `weight` and `bias` are `[C]` or null.
 */
export function layerNorm(
  x: VariableLike,
  weight: VariableLike | null = null,
  bias: VariableLike | null = null,
  eps = 1e-5,
): Variable {
  const vx = lift(x);
  const vw = weight === null ? null : lift(weight, vx);
  const vb = bias === null ? null : lift(bias, vx);
  const [out, stats] = normalize('layerNorm', vx, vw, vb, eps, true);
  const inputs = [vx, ...(vw ? [vw] : []), ...(vb ? [vb] : [])];
  return record('layerNorm', out, inputs, (g) => {
    const [dx, dw, db] = normalizeBackward(g, stats, vx, vw, vb);
    return [dx!, ...(vw ? [dw!] : []), ...(vb ? [db!] : [])];
  });
}

/** Fused RMS normalisation over the last axis: `x / sqrt(mean(x²) + eps) · weight`. */
export function rmsNorm(x: VariableLike, weight: VariableLike | null = null, eps = 1e-6): Variable {
  const vx = lift(x);
  const vw = weight === null ? null : lift(weight, vx);
  const [out, stats] = normalize('rmsNorm', vx, vw, null, eps, false);
  return record('rmsNorm', out, vw ? [vx, vw] : [vx], (g) => {
    const [dx, dw] = normalizeBackward(g, stats, vx, vw, null);
    return vw ? [dx!, dw!] : [dx!];
  });
}

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** Apply dropout (default true); false returns the input unchanged, as in eval mode. */
  training?: boolean;
  /** Source of the mask. */
  generator?: Generator;
}

/** Inverted dropout: zeroes each element with probability `p` and scales the rest by `1/(1−p)`. */
export function dropout(x: VariableLike, p: number, options: DropoutOptions = {}): Variable {
  const vx = lift(x);
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (options.training === false || p === 0) return vx;
  const keep = T.bernoulli(vx.shape, 1 - p, options.generator ? { generator: options.generator } : {});
  const mask = keep.to(vx.dtype).div(1 - p);
  return mul(vx, mask);
}

/** `x · Wᵀ + b` for `weight` `[out, in]` and optional `bias` `[out]`, as PyTorch's `F.linear`. */
export function linear(x: VariableLike, weight: VariableLike, bias: VariableLike | null = null): Variable {
  const y = matmul(x, transpose(weight, -2, -1));
  return bias === null ? y : add(y, bias);
}

/** Looks up rows of `weight` `[V, C]` for int32 `ids` of any shape → `[...ids.shape, C]`. */
export function embedding(weight: VariableLike, ids: Tensor): Variable {
  const vw = lift(weight);
  const rows = indexSelect(vw, 0, ids.reshape([-1]));
  return reshape(rows, [...ids.shape, vw.shape[1]!]);
}

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** Bool mask broadcastable to `[..., L, S]` (true = may attend), or a float mask added to the scores. */
  mask?: Tensor;
  /** Hide keys after each query; with `L < S` (a KV cache) query `i` sits at key position `i + S − L`. */
  causal?: boolean;
  /** Dropout probability on the attention weights (default 0). */
  dropout?: number;
  /** Source of the dropout mask. */
  generator?: Generator;
  /** Score scale (default `1/sqrt(E)`). */
  scale?: number;
}

/**
 * `softmax(q·kᵀ·scale + mask) · v` for `q` `[..., L, E]`, `k` `[..., S, E]`, `v` `[..., S, Ev]` → `[..., L, Ev]`.
 */
export function scaledDotProductAttention(
  q: VariableLike,
  k: VariableLike,
  v: VariableLike,
  options: AttentionOptions = {},
): Variable {
  const vq = lift(q);
  const vk = lift(k);
  const L = vq.shape[vq.ndim - 2]!;
  const S = vk.shape[vk.ndim - 2]!;
  const scale = options.scale ?? 1 / Math.sqrt(vq.shape[vq.ndim - 1]!);
  let scores = mul(matmul(vq, transpose(vk, -2, -1)), scale); // [..., L, S]
  if (options.causal) scores = maskedFill(scores, causalMask(L, S), Number.NEGATIVE_INFINITY);
  if (options.mask) {
    scores =
      options.mask.dtype === 'bool'
        ? maskedFill(scores, options.mask.logicalNot(), Number.NEGATIVE_INFINITY)
        : add(scores, options.mask);
  }
  let weights = softmax(scores, -1);
  if (options.dropout)
    weights = dropout(weights, options.dropout, options.generator ? { generator: options.generator } : {});
  return matmul(weights, v);
}

/** A bool `[L, S]` mask that is true where key `j` lies in the future of query `i` (bottom-right aligned). */
export function causalMask(L: number, S: number): Tensor {
  return T.ones([L, S], { dtype: 'bool' }).triu(S - L + 1);
}
