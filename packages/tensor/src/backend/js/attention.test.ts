import { describe, expect, it } from 'vitest';
import { attentionSoftmax, attentionSoftmaxBackward } from './attention.js';
import { softmax, softmaxBackward } from './reduce.js';

/** The fused attention softmax against softmax of explicitly scaled and masked scores. */

function scores(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 4);
}

/** scale·x with -inf where key j is in the future of query i (bottom-right aligned), then softmax. */
function composed(x: Float64Array, batch: number, L: number, S: number, scale: number): Float64Array {
  const masked = x.map((v, idx) => {
    const i = Math.floor(idx / S) % L;
    const j = idx % S;
    return j > i + S - L ? Number.NEGATIVE_INFINITY : scale * v;
  });
  const out = new Float64Array(x.length);
  softmax(masked, out, batch * L, S, false);
  return out;
}

describe('attentionSoftmax reference kernel', () => {
  it('equals softmax of scaled, causally masked scores (square and KV-cache shapes)', () => {
    for (const [batch, L, S] of [
      [2, 5, 5],
      [3, 2, 7],
      [1, 1, 4],
    ] as const) {
      const x = scores(batch * L * S);
      const out = new Float64Array(x.length);
      attentionSoftmax({ x, out, batch, L, S, scale: 0.35, causal: true });
      const expected = composed(x, batch, L, S, 0.35);
      out.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
    }
  });

  it('without causal is a plain scaled softmax; rows with no visible key are NaN', () => {
    const x = scores(12);
    const out = new Float64Array(12);
    attentionSoftmax({ x, out, batch: 1, L: 3, S: 4, scale: 2, causal: false });
    const expected = new Float64Array(12);
    softmax(
      x.map((v) => 2 * v),
      expected,
      3,
      4,
      false,
    );
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
    const tall = new Float64Array(8);
    attentionSoftmax({ x: scores(8), out: tall, batch: 1, L: 4, S: 2, scale: 1, causal: true });
    expect([...tall.subarray(0, 4)].every(Number.isNaN)).toBe(true); // queries 0, 1 see no key
    expect(tall[4]).toBe(1);
  });

  it('backward is scale times the softmax backward', () => {
    const y = new Float64Array(12);
    attentionSoftmax({ x: scores(12), out: y, batch: 1, L: 3, S: 4, scale: 0.5, causal: true });
    const dy = scores(12).map((v) => v / 3 + 0.1);
    const dx = new Float64Array(12);
    attentionSoftmaxBackward(y, dy, dx, 3, 4, 0.5);
    const plain = new Float64Array(12);
    softmaxBackward(y, dy, plain, 3, 4, false);
    dx.forEach((v, i) => expect(v).toBeCloseTo(0.5 * plain[i]!, 14));
    expect(Math.abs(dx[3]!)).toBe(0); // query 0 sees keys 0 and 1 only: no gradient to key 3
  });
});
