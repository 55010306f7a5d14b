import type { NormArgs, NormBackwardArgs } from '../backend.js';

/** Reference layer norm / RMS norm forward, statistics in double precision. */
export function layerNorm(args: NormArgs): void {
  const { x, weight, bias, out, mean, rstd, rows, cols, eps, rms } = args;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let mu = 0;
    if (!rms) {
      for (let j = 0; j < cols; j++) mu += x[base + j]!;
      mu /= cols;
      mean[r] = mu;
    }
    let ss = 0;
    for (let j = 0; j < cols; j++) {
      const d = x[base + j]! - mu;
      ss += d * d;
    }
    const inv = 1 / Math.sqrt(ss / cols + eps);
    rstd[r] = inv;
    for (let j = 0; j < cols; j++) {
      let v = (x[base + j]! - mu) * inv;
      if (weight) v *= weight[j]!;
      if (bias && !rms) v += bias[j]!;
      out[base + j] = v;
    }
  }
}

/** Reference layer norm / RMS norm backward from the saved (stored-precision) mean and rstd. */
export function layerNormBackward(args: NormBackwardArgs): void {
  const { dy, x, weight, mean, rstd, dx, dweight, dbias, rows, cols, rms } = args;
  const dw = dweight ? new Float64Array(cols) : null;
  const db = dbias ? new Float64Array(cols) : null;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const mu = rms ? 0 : mean[r]!;
    const inv = rstd[r]!;
    let sumG = 0;
    let sumGX = 0;
    for (let j = 0; j < cols; j++) {
      const xhat = (x[base + j]! - mu) * inv;
      const d = dy[base + j]!;
      if (dw) dw[j]! += d * xhat;
      if (db) db[j]! += d;
      const g = weight ? d * weight[j]! : d;
      sumG += g;
      sumGX += g * xhat;
    }
    const meanG = rms ? 0 : sumG / cols;
    const meanGX = sumGX / cols;
    for (let j = 0; j < cols; j++) {
      const xhat = (x[base + j]! - mu) * inv;
      const g = weight ? dy[base + j]! * weight[j]! : dy[base + j]!;
      dx[base + j] = inv * (g - meanG - xhat * meanGX);
    }
  }
  if (dweight && dw) dweight.set(dw);
  if (dbias && db) dbias.set(db);
}
