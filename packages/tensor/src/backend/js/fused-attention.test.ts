import { describe, expect, it } from 'vitest';
import type { AttentionArgs } from '../backend.js';
import { attention, attentionBackward, contiguousBatch } from './fused-attention.js';

/**
 * The fused attention reference against a naive float64 implementation written out here:
 * scores = scale·q·kᵀ + mask (−∞ above the shifted diagonal when causal), softmax per row, times v;
 * the backward against central differences of that naive forward.
 */

/** The geometry of one call, as {@link AttentionArgs} takes it, and whether a mask is passed. */
type Case = Pick<
  AttentionArgs,
  'batch' | 'groups' | 'L' | 'S' | 'E' | 'Ev' | 'scale' | 'causal' | 'maskBatch'
> & { masked: boolean };

function values(n: number, seed: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.37 + seed * 2.11) * 1.5);
}

function inputs(c: Case) {
  const kvb = c.batch / c.groups;
  const mask = c.masked
    ? values(c.maskBatch * c.L * c.S, 9).map((m, i) =>
        i % 5 === 3 && i % c.S !== 0 ? Number.NEGATIVE_INFINITY : m,
      )
    : null;
  return {
    q: values(c.batch * c.L * c.E, 1),
    k: values(kvb * c.S * c.E, 2),
    v: values(kvb * c.S * c.Ev, 3),
    mask,
  };
}

/** The kernel arguments for contiguous q, k, v. */
function batches(c: Case, q: Float64Array, k: Float64Array, v: Float64Array) {
  const kv = c.batch / c.groups;
  return {
    q: contiguousBatch(q, c.batch, c.L, c.E),
    k: contiguousBatch(k, kv, c.S, c.E),
    v: contiguousBatch(v, kv, c.S, c.Ev),
  };
}

/** softmax(scale·q·kᵀ + mask)·v, one row at a time, with nothing shared with the kernel. */
function naive(
  c: Case,
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  mask: Float64Array | null,
): Float64Array {
  const out = new Float64Array(c.batch * c.L * c.Ev);
  for (let b = 0; b < c.batch; b++) {
    const g = Math.floor(b / c.groups);
    for (let i = 0; i < c.L; i++) {
      const s: number[] = [];
      for (let j = 0; j < c.S; j++) {
        let dot = 0;
        for (let e = 0; e < c.E; e++) dot += q[(b * c.L + i) * c.E + e]! * k[(g * c.S + j) * c.E + e]!;
        const m = mask ? mask[((c.maskBatch === 1 ? 0 : b) * c.L + i) * c.S + j]! : 0;
        s.push(c.causal && j > i + c.S - c.L ? Number.NEGATIVE_INFINITY : c.scale * dot + m);
      }
      const top = Math.max(...s);
      const w = s.map((x) => Math.exp(x - top));
      const total = w.reduce((x, y) => x + y, 0);
      for (let d = 0; d < c.Ev; d++) {
        let acc = 0;
        for (let j = 0; j < c.S; j++) acc += (w[j]! / total) * v[(g * c.S + j) * c.Ev + d]!;
        out[(b * c.L + i) * c.Ev + d] = acc;
      }
    }
  }
  return out;
}

const CASES: Case[] = [
  { batch: 2, groups: 1, L: 5, S: 5, E: 3, Ev: 4, scale: 0.6, causal: true, maskBatch: 1, masked: false },
  { batch: 3, groups: 1, L: 2, S: 6, E: 4, Ev: 2, scale: 0.5, causal: true, maskBatch: 1, masked: false },
  { batch: 2, groups: 1, L: 4, S: 3, E: 2, Ev: 3, scale: 1.3, causal: false, maskBatch: 2, masked: true },
  { batch: 4, groups: 2, L: 3, S: 4, E: 3, Ev: 3, scale: 0.4, causal: true, maskBatch: 1, masked: true },
];

describe('attention reference kernel', () => {
  it('forward equals naive float64 softmax(scale·q·kᵀ + mask)·v; lse is the row log-sum-exp', () => {
    for (const c of CASES) {
      const { q, k, v, mask } = inputs(c);
      const out = new Float64Array(c.batch * c.L * c.Ev);
      const lse = new Float64Array(c.batch * c.L);
      attention({ ...c, ...batches(c, q, k, v), mask, out, lse });
      const expected = naive(c, q, k, v, mask);
      out.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 12));
      // row 0 of batch 0 by hand: log Σ_j exp(scale·q0·kj + m0j) over its visible keys
      const vis = c.causal ? 1 + c.S - c.L : c.S;
      let sum = 0;
      for (let j = 0; j < vis; j++) {
        let dot = 0;
        for (let e = 0; e < c.E; e++) dot += q[e]! * k[j * c.E + e]!;
        sum += Math.exp(c.scale * dot + (mask ? mask[j]! : 0));
      }
      expect(lse[0]).toBeCloseTo(Math.log(sum), 12);
    }
  });

  it('reads q, k, v through strides (transposed matrices, permuted batches)', () => {
    const c = CASES[3]!;
    const { q, k, v, mask } = inputs(c);
    const out = new Float64Array(c.batch * c.L * c.Ev);
    attention({ ...c, ...batches(c, q, k, v), mask, out, lse: new Float64Array(c.batch * c.L) });
    // q stored transposed ([E, L] per batch entry), in reverse batch order
    const qt = new Float64Array(q.length);
    for (let b = 0; b < c.batch; b++)
      for (let i = 0; i < c.L; i++)
        for (let e = 0; e < c.E; e++)
          qt[(c.batch - 1 - b) * c.L * c.E + e * c.L + i] = q[(b * c.L + i) * c.E + e]!;
    const offsets = Int32Array.from({ length: c.batch }, (_, b) => (c.batch - 1 - b) * c.L * c.E);
    const strided = new Float64Array(out.length);
    attention({
      ...c,
      ...batches(c, q, k, v),
      q: { data: qt, offsets, rowStride: 1, colStride: c.L },
      mask,
      out: strided,
      lse: new Float64Array(c.batch * c.L),
    });
    expect([...strided]).toEqual([...out]);
  });

  it('a query that sees no key gets NaN (causal with L > S)', () => {
    const c: Case = {
      batch: 1,
      groups: 1,
      L: 3,
      S: 2,
      E: 2,
      Ev: 2,
      scale: 1,
      causal: true,
      maskBatch: 1,
      masked: false,
    };
    const { q, k, v } = inputs(c);
    const out = new Float64Array(6);
    attention({ ...c, ...batches(c, q, k, v), mask: null, out, lse: new Float64Array(3) });
    expect(Number.isNaN(out[0]!) && Number.isNaN(out[1]!)).toBe(true);
    expect(out.subarray(2).every(Number.isFinite)).toBe(true);
  });

  it('backward equals central differences of the naive forward', () => {
    for (const c of CASES) {
      const { q, k, v, mask } = inputs(c);
      const out = new Float64Array(c.batch * c.L * c.Ev);
      const lse = new Float64Array(c.batch * c.L);
      attention({ ...c, ...batches(c, q, k, v), mask, out, lse });
      const dout = values(out.length, 7);
      const dq = new Float64Array(q.length);
      const dk = new Float64Array(k.length).fill(5); // overwritten, not accumulated into
      const dv = new Float64Array(v.length).fill(5);
      const g = contiguousBatch(dout, c.batch, c.L, c.Ev);
      attentionBackward({ ...c, ...batches(c, q, k, v), mask, out, lse, dout: g, dq, dk, dv });
      const loss = () => naive(c, q, k, v, mask).reduce((acc, o, i) => acc + o * dout[i]!, 0);
      for (const [x, grad] of [
        [q, dq],
        [k, dk],
        [v, dv],
      ] as const) {
        for (let i = 0; i < x.length; i++) {
          const keep = x[i]!;
          x[i] = keep + 1e-6;
          const up = loss();
          x[i] = keep - 1e-6;
          const down = loss();
          x[i] = keep;
          expect(grad[i]).toBeCloseTo((up - down) / 2e-6, 7);
        }
      }
    }
  });
});
