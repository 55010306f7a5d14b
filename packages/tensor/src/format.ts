import { isDeviceStorage } from './backend/memory.js';
import type { Tensor } from './tensor.js';

/** Tensors with more elements than this print only `EDGE_ITEMS` at each end of every axis. */
const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;

/**
 * Formats a tensor as PyTorch does: nested brackets with aligned values, the middle of large axes
 * elided with `...`, followed by shape and dtype. A tensor in a device's memory prints its shape and
 * dtype only (the CPU reads device memory asynchronously).
 * @example tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=[2, 2], dtype=float32)
 */
export function formatTensor(t: Tensor): string {
  const buffer = t.buffer;
  if (isDeviceStorage(buffer))
    return `tensor(<in ${buffer.backend} memory: await t.dataAsync() reads it>, shape=[${t.shape.join(', ')}], dtype=${t.dtype})`;
  const summarize = t.size > SUMMARY_THRESHOLD;
  const isFloat = t.dtype === 'float32' || t.dtype === 'float64';
  const fmt = (v: number): string => {
    if (t.dtype === 'bool') return v ? 'true' : 'false';
    if (!isFloat) return String(v);
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    const a = Math.abs(v);
    return a !== 0 && (a >= 1e8 || a < 1e-4) ? v.toExponential(4) : v.toFixed(4);
  };
  /** Indices printed along `axis`; -1 marks the elided middle. */
  const shown = (axis: number): number[] => {
    const d = t.shape[axis]!;
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    return summarize && d > 2 * EDGE_ITEMS
      ? [...range(0, EDGE_ITEMS), -1, ...range(d - EDGE_ITEMS, d)]
      : range(0, d);
  };
  // Only the shown elements are read, straight through the strides: printing a huge view copies nothing.
  const cells: string[] = [];
  const collect = (axis: number, at: number): void => {
    if (axis === t.ndim) {
      cells.push(fmt(t.storage[at]!));
      return;
    }
    for (const i of shown(axis)) if (i >= 0) collect(axis + 1, at + i * t.strides[axis]!);
  };
  collect(0, t.offset);
  const width = Math.max(0, ...cells.map((c) => c.length));
  let next = 0;
  const render = (axis: number, indent: string): string => {
    if (axis === t.ndim) return cells[next++]!.padStart(width);
    const parts = shown(axis).map((i) => (i < 0 ? '...' : render(axis + 1, `${indent} `)));
    const sep = axis === t.ndim - 1 ? ', ' : `,${'\n'.repeat(t.ndim - axis - 1)}${indent} `;
    return `[${parts.join(sep)}]`;
  };
  const body = render(0, '       ');
  return `tensor(${body}, shape=[${t.shape.join(', ')}], dtype=${t.dtype})`;
}
